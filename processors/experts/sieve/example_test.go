package sieve_test

import (
	"context"
	"fmt"

	"github.com/intelstream/intelstream/dho"
	"github.com/intelstream/intelstream/processors/experts/sieve"
)

func Example() {
	prog, err := sieve.Parse(`
		// scanners from documentation networks are noise
		if classification.type == 'scanner' && source.ip << '192.0.2.0/24' {
			drop
		}
		if source.fqdn =~ '\.(ch|li)$' {
			add! comment = 'domainabuse'
			path 'swiss'
		}`)
	if err != nil {
		fmt.Println(err)
		return
	}
	x := sieve.New(prog)
	for _, fields := range []map[string]string{
		{"classification.type": "scanner", "source.ip": "192.0.2.10"},
		{"classification.type": "phishing", "source.fqdn": "bank.example.ch"},
		{"classification.type": "phishing", "source.fqdn": "bank.example.com"},
	} {
		e := &dho.Event{}
		for k, v := range fields {
			_ = e.Set(k, v)
		}
		emitted := false
		_ = x.Process(context.Background(), e, func(e *dho.Event) {
			emitted = true
			path, _ := sieve.Path(e)
			fmt.Printf("emitted, path %q, comment %q\n", path, e.Comment)
		})
		if !emitted {
			fmt.Println("dropped")
		}
	}
	// Output:
	// dropped
	// emitted, path "swiss", comment "domainabuse"
	// emitted, path "", comment ""
}

func ExampleParse_error() {
	_, err := sieve.Parse("if source.ip << '10.0.0.0/33' {\n  drop\n}")
	fmt.Println(err)
	// Output: line 1, column 17: invalid IP range "10.0.0.0/33"
}
