package cef

import (
	"fmt"
	"strings"
)

// cefField is one CEF extension field: its full name, its short key (the
// name when it has none), the ECS field it maps to, an older name still
// accepted, whether it holds a timestamp (normalized in ECS mode) and its
// priority among fields mapping to the same ECS field when encoding.
type cefField struct {
	name, key, ecs, legacy string
	timestamp              bool
	priority               int
}

// fieldTable lists the CEF extension fields (Implementing ArcSight CEF,
// revision 25) with their ECS fields, as the cef codec's documentation
// maps them: one field a line, "name key ecs" with "-" for no short key,
// then flags: ts (a timestamp), hi (wins when encoding), legacy=NAME.
// {device} stands for the `device` option.
const fieldTable = `
agentAddress agt [agent][ip]
agentDnsDomain - [cef][agent][registered_domain] hi
agentHostName ahost [agent][name]
agentId aid [agent][id]
agentMacAddress amac [agent][mac]
agentNtDomain - [cef][agent][registered_domain]
agentReceiptTime art [event][created] ts
agentTimeZone atz [cef][agent][timezone]
agentTranslatedAddress - [cef][agent][nat][ip]
agentTranslatedZoneExternalID - [cef][agent][translated_zone][external_id]
agentTranslatedZoneURI - [cef][agent][translated_zone][uri]
agentType at [agent][type]
agentVersion av [agent][version]
agentZoneExternalID - [cef][agent][zone][external_id]
agentZoneURI - [cef][agent][zone][uri]
applicationProtocol app [network][protocol]
baseEventCount cnt [cef][base_event_count]
bytesIn in [source][bytes]
bytesOut out [destination][bytes]
categoryDeviceType catdt [cef][device_type]
customerExternalID - [organization][id]
customerURI - [organization][name]
destinationAddress dst [destination][ip]
destinationDnsDomain - [destination][registered_domain] hi
destinationGeoLatitude dlat [destination][geo][location][lat] legacy=destinationLatitude
destinationGeoLongitude dlong [destination][geo][location][lon] legacy=destinationLongitude
destinationHostName dhost [destination][domain]
destinationMacAddress dmac [destination][mac]
destinationNtDomain dntdom [destination][registered_domain]
destinationPort dpt [destination][port]
destinationProcessId dpid [destination][process][pid]
destinationProcessName dproc [destination][process][name]
destinationServiceName - [destination][service][name]
destinationTranslatedAddress - [destination][nat][ip]
destinationTranslatedPort - [destination][nat][port]
destinationTranslatedZoneExternalID - [cef][destination][translated_zone][external_id]
destinationTranslatedZoneURI - [cef][destination][translated_zone][uri]
destinationUserId duid [destination][user][id]
destinationUserName duser [destination][user][name]
destinationUserPrivileges dpriv [destination][user][group][name]
destinationZoneExternalID - [cef][destination][zone][external_id]
destinationZoneURI - [cef][destination][zone][uri]
deviceAction act [event][action]
deviceAddress dvc [{device}][ip]
@custom
deviceDirection - [network][direction]
deviceDnsDomain - [{device}][registered_domain] hi
deviceEventCategory cat [cef][category]
deviceExternalId - {external_id}
deviceFacility - [log][syslog][facility][code]
deviceHostName dvchost {host_name}
deviceInboundInterface - [observer][ingress][interface][name]
deviceMacAddress dvcmac [{device}][mac]
deviceNtDomain - [cef][nt_domain]
deviceOutboundInterface - [observer][egress][interface][name]
devicePayloadId - [cef][payload_id]
deviceProcessId dvcpid [process][pid]
deviceProcessName - [process][name]
deviceReceiptTime rt @timestamp ts
deviceTimeZone dtz [event][timezone] legacy=destinationTimeZone
deviceTranslatedAddress - [host][nat][ip]
deviceTranslatedZoneExternalID - [cef][translated_zone][external_id]
deviceTranslatedZoneURI - [cef][translated_zone][uri]
deviceVersion - [observer][version]
deviceZoneExternalID - [cef][zone][external_id]
deviceZoneURI - [cef][zone][uri]
endTime end [event][end] ts
eventId - [event][id]
eventOutcome outcome [event][outcome]
externalId - [cef][external_id]
fileCreateTime - [file][created]
fileHash - [file][hash]
fileId - [file][inode]
fileModificationTime - [file][mtime] ts
fileName fname [file][name]
filePath - [file][path]
filePermission - [file][group]
fileSize fsize [file][size]
fileType - [file][extension]
managerReceiptTime mrt [event][ingested] ts
message msg [message]
oldFileCreateTime - [cef][old_file][created] ts
oldFileHash - [cef][old_file][hash]
oldFileId - [cef][old_file][inode]
oldFileModificationTime - [cef][old_file][mtime] ts
oldFileName - [cef][old_file][name]
oldFilePath - [cef][old_file][path]
oldFilePermission - [cef][old_file][group]
oldFileSize - [cef][old_file][size]
oldFileType - [cef][old_file][extension]
rawEvent - [event][original]
Reason reason [event][reason]
requestClientApplication - [user_agent][original]
requestContext - [http][request][referrer]
requestCookies - [cef][request][cookies]
requestMethod - [http][request][method]
requestUrl request [url][original]
sourceAddress src [source][ip]
sourceDnsDomain - [source][registered_domain] hi
sourceGeoLatitude slat [source][geo][location][lat] legacy=sourceLatitude
sourceGeoLongitude slong [source][geo][location][lon] legacy=sourceLongitude
sourceHostName shost [source][domain]
sourceMacAddress smac [source][mac]
sourceNtDomain sntdom [source][registered_domain]
sourcePort spt [source][port]
sourceProcessId spid [source][process][pid]
sourceProcessName sproc [source][process][name]
sourceServiceName - [source][service][name]
sourceTranslatedAddress - [source][nat][ip]
sourceTranslatedPort - [source][nat][port]
sourceTranslatedZoneExternalID - [cef][source][translated_zone][external_id]
sourceTranslatedZoneURI - [cef][source][translated_zone][uri]
sourceUserId suid [source][user][id]
sourceUserName suser [source][user][name]
sourceUserPrivileges spriv [source][user][group][name]
sourceZoneExternalID - [cef][source][zone][external_id]
sourceZoneURI - [cef][source][zone][uri]
startTime start [event][start] ts
transportProtocol proto [network][transport]
type - [cef][type]
`

// customFields are the numbered device custom fields (1 to 15 of each):
// CEF name, short key and the ECS name part.
var customFields = [][3]string{
	{"deviceCustomFloatingPoint", "cfp", "device_custom_floating_point"},
	{"deviceCustomIPv6Address", "c6a", "device_custom_ipv6_address"},
	{"deviceCustomNumber", "cn", "device_custom_number"},
	{"deviceCustomString", "cs", "device_custom_string"},
}

// cefFields expands the table for a `device` setting (observer or host).
func cefFields(device string) []cefField {
	hostOr := func(host, observer string) string {
		if device == "host" {
			return host
		}
		return observer
	}
	repl := strings.NewReplacer("{device}", device,
		"{external_id}", hostOr("[host][id]", "[observer][name]"),
		"{host_name}", hostOr("[host][name]", "[observer][hostname]"))
	var out []cefField
	for _, line := range strings.Split(strings.TrimSpace(fieldTable), "\n") {
		if line == "@custom" {
			for i := 1; i <= 15; i++ {
				for _, c := range customFields {
					ecs := fmt.Sprintf("[cef][%s_%d]", c[2], i)
					out = append(out,
						cefField{name: fmt.Sprintf("%s%d", c[0], i), key: fmt.Sprintf("%s%d", c[1], i), ecs: ecs + "[value]"},
						cefField{name: fmt.Sprintf("%s%dLabel", c[0], i), key: fmt.Sprintf("%s%dLabel", c[1], i), ecs: ecs + "[label]"})
				}
			}
			continue
		}
		parts := strings.Fields(repl.Replace(line))
		f := cefField{name: parts[0], key: parts[1], ecs: parts[2]}
		if f.key == "-" {
			f.key = f.name
		}
		for _, flag := range parts[3:] {
			switch {
			case flag == "ts":
				f.timestamp = true
			case flag == "hi":
				f.priority = 10
			case strings.HasPrefix(flag, "legacy="):
				f.legacy = strings.TrimPrefix(flag, "legacy=")
			}
		}
		out = append(out, f)
	}
	return out
}

// mappings are the key translations of one codec instance.
type mappings struct {
	// decode maps an extension key (short key, full name or legacy name)
	// to the field it is stored in.
	decode map[string]string
	// encode maps an event field (or CEF name) named in `fields` to the
	// extension key it is written as.
	encode map[string]string
	// timestamps are the fields normalized to instants in ECS mode, in
	// table order.
	timestamps []string
}

func newMappings(fields []cefField, ecs, reverse bool) mappings {
	m := mappings{decode: map[string]string{}, encode: map[string]string{}}
	// Lower priorities first, so a field with a higher priority takes the
	// encoding of an ECS field several CEF fields share.
	for _, prio := range []int{0, 10} {
		for _, f := range fields {
			if f.priority != prio {
				continue
			}
			target := f.name
			if ecs {
				target = f.ecs
			}
			m.decode[f.key] = target
			m.decode[f.name] = target
			written := f.name
			if reverse {
				written = f.key
			}
			m.encode[target] = written
			if f.name != target {
				m.encode[f.name] = written
			}
			if f.legacy != "" {
				if ecs {
					m.decode[f.legacy] = f.ecs
				} else {
					m.decode[f.legacy] = f.legacy
				}
				if reverse {
					m.encode[f.legacy] = f.key
				} else {
					m.encode[f.legacy] = f.legacy
				}
			}
			if ecs && f.timestamp {
				m.timestamps = append(m.timestamps, target)
			}
		}
	}
	return m
}
