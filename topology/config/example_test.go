package config_test

import (
	"fmt"

	_ "github.com/intelstream/intelstream/outputs/file"
	_ "github.com/intelstream/intelstream/processors/experts/taxonomy"
	"github.com/intelstream/intelstream/topology/config"
)

func ExampleParse() {
	src := []byte(`name: example
nodes:
  classify:
    kind: taxonomy
    inputs: [missing]
  out:
    kind: intelmq.bots.outputs.file.output
    inputs: [classify]
    params:
      path: "-"
      format: json
`)
	_, err := config.Parse("example.yaml", src)
	fmt.Println(err)
	// Output:
	// example.yaml:5: node classify: input "missing": no such node
	// example.yaml:11: node out: parameter format: "json" is not one of intelmq, dho
}
