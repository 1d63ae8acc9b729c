// Package markdown writes the human-readable reference of DHO, generated
// from the field registry of package dho like the JSON Schema and the Avro
// schemas: FieldReference returns it as a Markdown document.
//
// docs/fields.md holds its output, and a test fails when the file is out of
// date. After changing the registry, refresh the file with
//
//	go test ./schemas/markdown -update
//
// or go generate ./schemas/markdown.
package markdown

//go:generate go test . -run ^TestFieldReferenceUpToDate$ -update
