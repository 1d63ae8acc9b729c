package sanitize

import "testing"

func BenchmarkIPAddress(b *testing.B) {
	for _, in := range []string{"192.0.2.1", "2001:db8::1", " 192.0.2.1/32", "2001:0DB8:0:0:0:0:0:1"} {
		b.Run(in, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				IPAddress(in)
			}
		})
	}
}

func BenchmarkFQDN(b *testing.B) {
	for _, in := range []string{"www.example.com", "WWW.Example.COM.", "bücher.example"} {
		b.Run(in, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				FQDN(in)
			}
		})
	}
}

func BenchmarkURL(b *testing.B) {
	for _, in := range []string{"http://www.example.com/path/file.php?id=1", "hxxp://www.example.com/x"} {
		b.Run(in, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				URL(in)
			}
		})
	}
}

func BenchmarkDateTime(b *testing.B) {
	for _, in := range []string{
		"2019-03-02T10:11:12+00:00",
		"2019-03-02T10:11:12.123456+00:00",
		"2019-03-02 10:11:12",
		"2019-03-02T10:11:12Z",
		"Mon, 14 Sep 2015 04:39:22 GMT",
		"01/Aug/2018:09:49:41 +0200",
	} {
		b.Run(in, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				DateTime(in)
			}
		})
	}
}

func BenchmarkFormatDateTime(b *testing.B) {
	t, _ := DateTime("2019-03-02T10:11:12.123456+00:00")
	b.ReportAllocs()
	for b.Loop() {
		FormatDateTime(t)
	}
}

func BenchmarkSmall(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		ASN("AS64496")
		Integer("443")
		LowercaseString("tcp")
		CountryCode("AT")
		ClassificationType("scanner")
		TLP("AMBER")
	}
}

func BenchmarkConvert(b *testing.B) {
	tf, _ := ParseTimeFormat("from_format|%Y-%m-%d %H:%M:%S")
	b.ReportAllocs()
	for b.Loop() {
		tf.Convert("2019-01-02 03:04:05")
	}
}
