package jdbc

import "github.com/gostash/gostash/runtime/plugin"

var examples = []plugin.Example{{
	Title: "Rows past the last tracked id, every minute",
	Config: `input {
  jdbc {
    jdbc_driver_class => "org.sqlite.JDBC"
    jdbc_connection_string => "jdbc:sqlite::memory:"
    jdbc_user => ""
    statement => "CREATE TABLE songs (id INTEGER PRIMARY KEY, artist TEXT, title TEXT, price DECIMAL(5,2));
      INSERT INTO songs VALUES (1, 'Bach', 'Air', 1.5), (2, 'Beethoven', 'Für Elise', 0.99);
      SELECT * FROM songs WHERE artist = :favorite_artist AND id > :sql_last_value"
    parameters => { "favorite_artist" => "Beethoven" }
    use_column_value => true
    tracking_column => "id"
    record_last_run => false
  }
}
output { stdout { codec => rubydebug } }`,
	Output: `{
    "@timestamp" => 2026-01-02T03:04:05.678Z,
      "@version" => "1",
            "id" => 2,
        "artist" => "Beethoven",
         "title" => "Für Elise",
         "price" => 0.99
}
`,
}}
