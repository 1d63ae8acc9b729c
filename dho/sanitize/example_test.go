package sanitize_test

import (
	"fmt"

	"github.com/intelstream/intelstream/dho/sanitize"
)

func ExampleIPAddress() {
	for _, v := range []string{" 192.0.2.1/32", "2001:0DB8:0:0:0:0:0:1", "fe80::1%eth0", "300.1.2.3"} {
		ip, err := sanitize.IPAddress(v)
		fmt.Println(ip, err)
	}
	// Output:
	// 192.0.2.1 <nil>
	// 2001:db8::1 <nil>
	// fe80::1 <nil>
	//  "300.1.2.3" is not an IP address
}

func ExampleURL() {
	u, _ := sanitize.URL("hxxps://example.com/payload.exe")
	fmt.Println(u)
	_, err := sanitize.URL("example.com/payload.exe")
	fmt.Println(err)
	// Output:
	// https://example.com/payload.exe
	// "example.com/payload.exe" is not a URL: it has no host (network location)
}

func ExampleDateTime() {
	for _, v := range []string{"2015-12-09T04:43:29+0000", "Mon, 14 Sep 2015 04:39:22 GMT", "01/Aug/2018:09:49:41 +0200", "2019-03-02 10:11:12 CET"} {
		t, err := sanitize.DateTime(v)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(sanitize.FormatDateTime(t))
	}
	// Output:
	// 2015-12-09T04:43:29+00:00
	// 2015-09-14T04:39:22+00:00
	// 2018-08-01T07:49:41+00:00
	// "2019-03-02 10:11:12 CET" is not a date and time: unknown time zone "CET"
}

func ExampleParseTimeFormat() {
	// A parser parses its time_format parameter once...
	tf, err := sanitize.ParseTimeFormat("from_format_midnight|%d-%m-%Y")
	if err != nil {
		panic(err)
	}
	// ...and converts every value with it.
	t, _ := tf.Convert("21-06-2019")
	fmt.Println(sanitize.FormatDateTime(t))
	// Output: 2019-06-21T00:00:00+00:00
}

func ExampleClassificationType() {
	typ, _ := sanitize.ClassificationType("Botnet Drone")
	fmt.Println(typ)
	// Output: infected-system
}

func ExampleConstraint() {
	cc := sanitize.MustConstraint(2, `^[a-zA-Z0-9]{2}$`, "")
	fmt.Println(cc.Check("AT"), cc.Check("AUT"))
	// Output: <nil> "AUT" is too long: 3 characters, at most 2
}
