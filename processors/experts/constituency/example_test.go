package constituency_test

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/intelstream/intelstream/processors/experts/constituency"
)

// A constituency from CSV: the longest network wins, domains match by
// suffix.
func ExampleTable() {
	entries, err := constituency.ReadCSV(strings.NewReader(`organisation,sector,networks,domains
Example Energy,energy,192.0.2.0/24,energy.example
Example Grid,energy,192.0.2.128/25,grid.energy.example
`))
	if err != nil {
		panic(err)
	}
	t, err := constituency.NewTable(entries)
	if err != nil {
		panic(err)
	}
	for _, ip := range []string{"192.0.2.1", "192.0.2.200"} {
		m, _ := t.ByIP(netip.MustParseAddr(ip))
		fmt.Println(ip, "→", m.Organisation)
	}
	m, _ := t.ByDomain("scada.grid.energy.example")
	fmt.Println("scada.grid.energy.example →", m.Organisation)
	// Output:
	// 192.0.2.1 → Example Energy
	// 192.0.2.200 → Example Grid
	// scada.grid.energy.example → Example Grid
}
