package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/intelstream/intelstream/internal/atomicfile"
	"go.yaml.in/yaml/v3"
)

// SetParam sets a node's parameter in the file (in memory: Save writes
// it). The value is checked against the node's spec first; comments and
// the order of keys are kept, and a new parameter goes last. It does not
// change the running topology: the caller applies the change to the node
// (runtime parameters) or restarts it. SetParam is safe for concurrent use.
func (f *File) SetParam(node, name string, value any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.node(node)
	if n == nil {
		return fmt.Errorf("node %q: %w", node, ErrNotFound)
	}
	if n.reg != nil {
		params := make(map[string]any, len(n.Params)+1)
		for k, v := range n.Params {
			params[k] = v
		}
		params[name] = value
		if _, err := n.validate(params); err != nil {
			return err
		}
	}
	return f.setParam(n, name, value)
}

// Param returns a node's parameter as the file has it.
func (f *File) Param(node, name string) (any, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.node(node)
	if n == nil {
		return nil, false
	}
	v, ok := n.Params[name]
	return v, ok
}

// setParam writes value into the node's params mapping of the document.
func (f *File) setParam(n *Node, name string, value any) error {
	if d, ok := value.(time.Duration); ok {
		value = d.String()
	}
	var vn yaml.Node
	if err := vn.Encode(value); err != nil {
		return fmt.Errorf("parameter %s: %w", name, err)
	}
	params := child(n.node, "params")
	if params == nil {
		params = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		n.node.Content = append(n.node.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "params"}, params)
	}
	if params.Kind != yaml.MappingNode {
		return errors.New("params: not a mapping")
	}
	if old := child(params, name); old != nil {
		// Keep the comments around the old value.
		vn.HeadComment, vn.LineComment, vn.FootComment = old.HeadComment, old.LineComment, old.FootComment
		if vn.Kind == old.Kind && vn.Kind != yaml.ScalarNode {
			vn.Style = old.Style
		}
		*old = vn
	} else {
		params.Content = append(params.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: name}, &vn)
	}
	if n.Params == nil {
		n.Params = map[string]any{}
	}
	var decoded any
	if err := vn.Decode(&decoded); err != nil {
		return err
	}
	n.Params[name] = decoded
	return nil
}

// child returns the value of key in mapping m, or nil.
func child(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// Bytes returns the file's YAML as it stands, comments included.
func (f *File) Bytes() ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.encode()
}

func (f *File) encode() ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&f.doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Save writes the file back to its Path, atomically (a new file renamed
// over the old one, with the old one's permissions).
func (f *File) Save() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.Path == "" {
		return errors.New("config: the file was not loaded from a path")
	}
	data, err := f.encode()
	if err != nil {
		return err
	}
	mode := os.FileMode(0o644)
	if st, err := os.Stat(f.Path); err == nil {
		mode = st.Mode().Perm()
	}
	return atomicfile.WriteFile(f.Path, data, mode)
}
