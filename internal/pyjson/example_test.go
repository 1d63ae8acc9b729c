package pyjson_test

import (
	"fmt"

	"github.com/intelstream/intelstream/internal/pyjson"
)

func ExampleDecoder() {
	d := pyjson.NewDecoder(`{"source.ip": "192.0.2.1", "source.asn": 64496, "extra.tags": ["a", "b"]}`)
	if err := d.BeginObject(); err != nil {
		panic(err)
	}
	for {
		key, ok, err := d.NextMember()
		if err != nil {
			panic(err)
		}
		if !ok {
			break
		}
		switch key {
		case "source.ip":
			ip, err := d.String() // no allocation: a substring of the input
			fmt.Println(key, ip, err)
		case "source.asn":
			asn, err := d.Int()
			fmt.Println(key, asn, err)
		default:
			raw, err := d.RawValue()
			fmt.Println(key, raw, err)
		}
	}
	fmt.Println(d.End())
	// Output:
	// source.ip 192.0.2.1 <nil>
	// source.asn 64496 <nil>
	// extra.tags ["a", "b"] <nil>
	// <nil>
}

func ExampleWriter() {
	// Keys written in sorted order give IntelMQ's
	// json.dumps(event, sort_keys=True, ensure_ascii=False).
	var w pyjson.Writer
	w.BeginObject()
	w.Key("feed.name")
	w.String("Grüße \"CERT\"")
	w.Key("source.geolocation.latitude")
	w.Float(48)
	w.Key("source.port")
	w.Int(443)
	w.EndObject()
	fmt.Println(string(w.Buf))

	w.Reset()
	w.Options = pyjson.Options{EnsureASCII: true, Compact: true}
	w.Value(map[string]any{"b": 1e-05, "a": "é😀"})
	fmt.Println(string(w.Buf))
	// Output:
	// {"feed.name": "Grüße \"CERT\"", "source.geolocation.latitude": 48.0, "source.port": 443}
	// {"a":"\u00e9\ud83d\ude00","b":1e-05}
}
