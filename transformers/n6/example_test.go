package n6_test

import (
	"fmt"

	"github.com/intelstream/intelstream/transformers/n6"
)

// An n6 event with two addresses becomes one DHO event with two source
// addresses.
func ExampleDecodeDHO() {
	raw := `{"id":"392ab73bbe7bcd6a56c84af2234987a4","source":"hidden.42","restriction":"need-to-know","confidence":"medium","category":"exposed",` +
		`"time":"2024-05-04T10:59:03Z","address":[{"ip":"203.0.113.42","cc":"PL","asn":64496},{"ip":"203.0.113.123","cc":"PL","asn":64496}],"dport":502,"proto":"tcp"}`
	e, losses, err := n6.DecodeDHO([]byte(raw))
	if err != nil {
		panic(err)
	}
	fmt.Println(e.Classification.Type, e.Source.IP, *e.Source.ASN, e.TLP, len(losses))
	// Output: potentially-unwanted-accessible [203.0.113.42 203.0.113.123] 64496 AMBER 0
}
