package modify_test

import (
	"fmt"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/modify"
)

func Example() {
	rules, err := modify.ParseRules([]byte(`[
	  {"rulename": "strip vendor prefix",
	   "if":   {"malware.name": "^vendorx-(.*)$"},
	   "then": {"malware.name": "{matches[malware.name][1]}",
	            "comment": "renamed from {msg[malware.name]}"}}
	]`), true)
	if err != nil {
		fmt.Println(err)
		return
	}
	x := modify.New(rules, modify.Options{})
	e := &dho.Event{}
	_ = e.Set("malware.name", "vendorx-emotet")
	if err := x.Apply(e); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e.Malware.Name, e.Comment)
	// Output: [emotet] renamed from vendorx-emotet
}
