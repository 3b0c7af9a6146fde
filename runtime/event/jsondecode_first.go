package event

// DecodeJSONFirst parses the first JSON value in data and ignores whatever
// follows it, as Jackson's ObjectMapper.readValue does with its default
// settings. That is Logstash's Event.from_json, behind the json and
// json_lines codecs: `{"a":1} {"b":2}` and `{"a":1} trailing` both give
// {"a":1}. Values are as DecodeJSON makes them; whitespace-only input gives
// (nil, nil). A number at the root must still be followed by whitespace.
func DecodeJSONFirst(data []byte) (any, error) {
	d := jsonDecoder{data: data}
	d.skipSpace()
	if d.pos >= len(d.data) {
		return nil, nil
	}
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	if d.rootNumber && d.pos < len(d.data) && !isJSONSpace(d.data[d.pos]) {
		return nil, d.errorf(d.pos, "Expected space separating root-level values")
	}
	return v, nil
}
