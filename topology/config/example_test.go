package config_test

import (
	"fmt"

	_ "github.com/intelstream/intelstream/outputs/file"
	_ "github.com/intelstream/intelstream/processors/collectors/file"
	_ "github.com/intelstream/intelstream/processors/experts/taxonomy"
	_ "github.com/intelstream/intelstream/processors/parsers/all"
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

func ExampleFile_SetParam() {
	src := []byte(`name: example
nodes:
  collect:
    kind: file-collector
    params:
      path: . # this folder
  parse:
    kind: shadowserver
    inputs: [collect]
  out:
    kind: file-output
    inputs: [parse]
    params: {path: "-"} # standard output
`)
	f, err := config.Parse("example.yaml", src)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.SetParam("out", "format", "dho"))
	fmt.Println(f.SetParam("collect", "postfix", ".csv"))
	fmt.Println(f.SetParam("collect", "interval", "soon"))
	out, _ := f.Bytes()
	fmt.Print(string(out))
	// Output:
	// <nil>
	// <nil>
	// node file-collector: parameter interval: "soon" is not a duration (e.g. 30s, 5m, or seconds)
	// name: example
	// nodes:
	//   collect:
	//     kind: file-collector
	//     params:
	//       path: . # this folder
	//       postfix: .csv
	//   parse:
	//     kind: shadowserver
	//     inputs: [collect]
	//   out:
	//     kind: file-output
	//     inputs: [parse]
	//     params: {path: "-", format: dho} # standard output
}
