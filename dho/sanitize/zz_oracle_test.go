package sanitize

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"
)

// Temporary differential harness; removed before hand-off.
func TestZZOracle(t *testing.T) {
	in := os.Getenv("ORACLE_IN")
	if in == "" {
		t.Skip()
	}
	now = func() time.Time { return time.Now() }
	f, _ := os.Open(in)
	out, _ := os.Create(os.Getenv("ORACLE_OUT"))
	defer out.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var c [2]string
		json.Unmarshal(sc.Bytes(), &c)
		var res any
		var err error
		switch c[0] {
		case "IPAddress":
			res, err = IPAddress(c[1])
		case "IPNetwork":
			res, err = IPNetwork(c[1])
		case "FQDN":
			res, err = FQDN(c[1])
		case "URL":
			res, err = URL(c[1])
		case "ASN":
			res, err = ASN(c[1])
		case "Integer":
			res, err = Integer(c[1])
		case "Float":
			res, err = Float(c[1])
		case "Boolean":
			res, err = Boolean(c[1])
		case "TLP":
			res, err = TLP(c[1])
		case "Registry":
			res, err = Registry(c[1])
		case "ClassificationType":
			res, err = ClassificationType(c[1])
		case "ClassificationTaxonomy":
			res, err = ClassificationTaxonomy(c[1])
		case "LowercaseString":
			res, err = LowercaseString(c[1])
		case "UppercaseString":
			res, err = UppercaseString(c[1])
		case "String":
			res, err = String(c[1])
		case "DateTime":
			var tm time.Time
			tm, err = DateTime(c[1])
			res = FormatDateTime(tm)
		case "timestamp", "windows_nt", "epoch_millis", "fuzzy", "utc_isoformat":
			var tm time.Time
			tm, err = Convert(c[1], c[0])
			res = FormatDateTime(tm)
		default:
			var tm time.Time
			tm, err = Convert(c[1], c[0])
			res = FormatDateTime(tm)
		}
		if err != nil {
			res = nil
		}
		b, _ := json.Marshal([]any{res, fmt.Sprint(err)})
		out.Write(append(b, '\n'))
	}
}
