// Package memo keeps a collector's small state (HTTP validators, names of
// files and reports already sent) in a JSON file in the node's state
// directory (topology.StateDir), so that a restarted collector neither
// fetches unchanged data again nor sends a report twice. Without a state
// directory (WithMemoryState) the state lives in memory only.
package memo

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/intelstream/intelstream/internal/atomicfile"
	"github.com/intelstream/intelstream/topology"
)

// File is one JSON document of a node's state.
type File struct {
	path string // "" when the run keeps state in memory
}

// Open returns the document name (a file name without directory) of the
// node running ctx.
func Open(ctx context.Context, name string) *File {
	dir, ok := topology.StateDir(ctx)
	if !ok {
		return &File{}
	}
	return &File{path: filepath.Join(dir, name+".json")}
}

// At returns the document at path (for tests and tools).
func At(path string) *File { return &File{path: path} }

// Load reads the document into v; a document never saved leaves v as it
// is. A document that cannot be read is an error naming the file.
func (f *File) Load(v any) error {
	if f.path == "" {
		return nil
	}
	data, err := os.ReadFile(f.path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("collector state %s: %w (delete the file to start afresh)", f.path, err)
	}
	return nil
}

// Save writes v as the document, atomically: a crash leaves the old
// document or the new one, never a mix.
func (f *File) Save(v any) error {
	if f.path == "" {
		return nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
		return err
	}
	if err := atomicfile.WriteFile(f.path, data, 0o600); err != nil {
		return fmt.Errorf("collector state %s: %w", f.path, err)
	}
	return nil
}
