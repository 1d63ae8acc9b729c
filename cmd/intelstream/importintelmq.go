package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/intelstream/intelstream/topology"
)

func init() { addCommand(newImportIntelMQCmd) }

func newImportIntelMQCmd() *cobra.Command {
	var output, name string
	cmd := &cobra.Command{
		Use:   "import-intelmq RUNTIME.YAML",
		Short: "Turn an IntelMQ 3 runtime configuration into a topology file",
		Long: `Read an IntelMQ 3.x runtime configuration (runtime.yaml) and write a
topology file (see intelstream run -c): each enabled bot whose module has a
node kind becomes a node, its parameters take our names, its destination
queues become the inputs of the bots that read them, error_max_retries and
error_retry_delay become the node's retries. Everything that cannot be
carried over (unknown modules and parameters, disabled bots, named paths of
bots without a path parameter, IntelMQ's logging, pipeline and statistics
settings) is printed on standard error and noted in the file. The command
fails only when the input cannot be read.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			out, notes, err := importIntelMQ(data, name, filepath.Base(args[0]))
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			for _, n := range notes {
				fmt.Fprintln(cmd.ErrOrStderr(), "not carried over:", n)
			}
			if output == "" || output == "-" {
				_, err = cmd.OutOrStdout().Write(out)
				return err
			}
			return os.WriteFile(output, out, 0o644)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "write the topology file here (default: standard output)")
	cmd.Flags().StringVar(&name, "name", "intelmq", "the topology's name")
	return cmd
}

// intelmqBot is one bot of a runtime configuration.
type intelmqBot struct {
	id, node                   string // IntelMQ's id, our node name
	module, name, desc, runMod string
	enabled                    bool
	params                     *yaml.Node // mapping, or nil
	line                       int
	reg                        *topology.Registration
	inputs                     []string
	pathNodes                  []string // nodes made for named paths
	notes                      []string // what the node's comment says
}

// intelmqHints say where our equivalent of a generic IntelMQ setting is.
var intelmqHints = map[string]string{
	"logging_level":      "intelstream run --log-level",
	"logging_handler":    "intelstream run --log-output",
	"logging_path":       "intelstream run --log-output file:PATH",
	"logging_syslog":     "intelstream run --log-output syslog://HOST:PORT",
	"error_procedure":    "failed records go to the node's dead-letter topic",
	"error_dump_message": "failed records go to the node's dead-letter topic",
	"load_balance":       "a node's consumer group shares partitions between instances",
	"instances_threads":  "run more instances of the node (--node)",
	"rate_limit":         "a collector's interval parameter",
}

var nodeNameRE = regexp.MustCompile(`[^a-z0-9_-]+`)

// importIntelMQ converts a runtime configuration; notes list what it could
// not carry over. The error is for input that is no runtime configuration.
func importIntelMQ(data []byte, name, source string) ([]byte, []string, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, err
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, nil, errors.New("not an IntelMQ runtime configuration: want a mapping of bot ids (and global) to bots")
	}
	root := doc.Content[0]
	var notes []string
	note := func(format string, args ...any) { notes = append(notes, fmt.Sprintf(format, args...)) }
	var global *yaml.Node
	var bots []*intelmqBot
	taken := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Value == "global" {
			if v.Kind == yaml.MappingNode {
				global = v
			}
			continue
		}
		if v.Kind != yaml.MappingNode {
			return nil, nil, fmt.Errorf("line %d: bot %s: want a mapping", k.Line, k.Value)
		}
		b := &intelmqBot{id: k.Value, enabled: true, line: k.Line}
		for j := 0; j+1 < len(v.Content); j += 2 {
			bk, bv := v.Content[j], v.Content[j+1]
			switch bk.Value {
			case "module":
				b.module = bv.Value
			case "name":
				b.name = bv.Value
			case "description":
				b.desc = bv.Value
			case "run_mode":
				b.runMod = bv.Value
			case "enabled":
				b.enabled = bv.Value != "false" && bv.Value != "False"
			case "parameters":
				if bv.Kind == yaml.MappingNode {
					b.params = bv
				}
			case "group", "bot_id", "groupname":
			default:
				note("bot %s: key %s", b.id, bk.Value)
			}
		}
		b.node = uniqueName(nodeName(b.id), taken)
		if b.node != b.id {
			b.notes = append(b.notes, "IntelMQ bot id "+b.id)
		}
		bots = append(bots, b)
	}
	// Which bot reads which queue.
	owner := map[string]*intelmqBot{}
	for _, b := range bots {
		q := b.id + "-queue"
		if sq := mapValue(b.params, "source_queue"); sq != nil && sq.Value != "" {
			q = sq.Value
		}
		owner[q] = b
	}
	for _, b := range bots {
		switch {
		case !b.enabled:
			note("bot %s: disabled, left out", b.id)
		case b.module == "":
			note("bot %s: no module, left out", b.id)
		default:
			reg, ok := topology.Lookup(b.module)
			if !ok {
				note("bot %s: module %s has no node kind, left out", b.id, b.module)
				continue
			}
			b.reg = reg
			if b.runMod == "scheduled" {
				note("bot %s: run_mode scheduled: run the node from cron with intelstream run -c FILE --node %s --until-idle 10s", b.id, b.node)
			}
		}
	}
	// Destination queues become inputs.
	for _, b := range bots {
		if b.reg == nil {
			continue
		}
		dq := mapValue(b.params, "destination_queues")
		if dq == nil {
			continue
		}
		paths := map[string][]string{}
		var order []string
		switch dq.Kind {
		case yaml.SequenceNode: // IntelMQ 2's form: a list is the default path
			order = []string{"_default"}
			paths["_default"] = scalars(dq)
		case yaml.MappingNode:
			for i := 0; i+1 < len(dq.Content); i += 2 {
				order = append(order, dq.Content[i].Value)
				paths[dq.Content[i].Value] = scalars(dq.Content[i+1])
			}
		}
		for _, path := range order {
			from := b.node
			switch {
			case path == "_default":
			case path == "_on_error":
				note("bot %s: path _on_error: failed records go to the node's dead-letter topic (%s.%s.dlq; intelstream dlq replay)", b.id, name, b.node)
				continue
			case hasPathParam(b.reg.Spec, path):
				from = uniqueName(nodeName(b.node+"-"+path), taken)
				b.pathNodes = append(b.pathNodes, path, from)
			default:
				note("bot %s: named path %s: the node kind %s emits only its default path", b.id, path, b.reg.Spec.Name)
				continue
			}
			for _, q := range paths[path] {
				c := owner[q]
				switch {
				case c == nil:
					note("bot %s: destination queue %s: no bot reads it", b.id, q)
				case c.reg != nil && !slices.Contains(c.inputs, from):
					c.inputs = append(c.inputs, from)
				}
			}
		}
	}
	// A processor nothing feeds and a node whose output nothing reads
	// would not load: leave them out, until none is left.
	for changed := true; changed; {
		changed = false
		for _, b := range bots {
			if b.reg == nil {
				continue
			}
			reason := ""
			if len(b.inputs) == 0 && b.reg.Spec.Kind != topology.KindCollector {
				reason = "no bot sends it anything"
			} else if b.reg.Spec.Kind != topology.KindOutput && !consumed(bots, b) {
				reason = "no bot reads what it sends"
			}
			if reason == "" {
				continue
			}
			note("bot %s: %s, left out", b.id, reason)
			b.reg, changed = nil, true
			gone := append([]string{b.node}, pathNodeNames(b)...)
			for _, c := range bots {
				c.inputs = slices.DeleteFunc(c.inputs, func(in string) bool { return slices.Contains(gone, in) })
			}
		}
	}
	// Write the topology file.
	file := &yaml.Node{Kind: yaml.MappingNode}
	file.HeadComment = fmt.Sprintf("Imported from the IntelMQ runtime configuration %s by intelstream import-intelmq.", source)
	addKey(file, "name", str(name))
	nodes := &yaml.Node{Kind: yaml.MappingNode}
	addKey(file, "nodes", nodes)
	for _, b := range bots {
		if b.reg == nil {
			continue
		}
		params, opts, bnotes := convertBotParams(b, global)
		for _, n := range bnotes {
			note("bot %s: %s", b.id, n)
		}
		b.notes = append(b.notes, bnotes...)
		emit := func(nodeName string, params *yaml.Node, inputs []string, comment []string) {
			n := &yaml.Node{Kind: yaml.MappingNode}
			kind := str(b.reg.Spec.Name)
			kind.LineComment = b.module
			addKey(n, "kind", kind)
			if len(inputs) > 0 {
				in := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
				for _, i := range inputs {
					in.Content = append(in.Content, str(i))
				}
				addKey(n, "inputs", in)
			}
			if params != nil && len(params.Content) > 0 {
				addKey(n, "params", params)
			}
			if opts != nil {
				addKey(n, "options", opts)
			}
			key := str(nodeName)
			key.HeadComment = strings.Join(comment, "\n")
			nodes.Content = append(nodes.Content, key, n)
		}
		var head []string
		if t := strings.TrimSpace(strings.Join(nonEmpty(b.name, b.desc), ": ")); t != "" {
			head = append(head, t)
		}
		for _, n := range b.notes {
			head = append(head, "not carried over: "+n)
		}
		emit(b.node, params, b.inputs, head)
		for i := 0; i+1 < len(b.pathNodes); i += 2 {
			path, pn := b.pathNodes[i], b.pathNodes[i+1]
			pp := cloneNode(params)
			if pp == nil {
				pp = &yaml.Node{Kind: yaml.MappingNode}
			}
			setKey(pp, "path", str(path))
			emit(pn, pp, b.inputs, []string{fmt.Sprintf("IntelMQ path %s of bot %s", path, b.id)})
		}
	}
	if global != nil {
		var ignored []string
		for i := 0; i+1 < len(global.Content); i += 2 {
			k := global.Content[i].Value
			if h, ok := intelmqHints[k]; ok {
				ignored = append(ignored, k+" ("+h+")")
			}
		}
		if len(ignored) > 0 {
			note("global: %s", strings.Join(ignored, ", "))
		}
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{file}}); err != nil {
		return nil, nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, nil, err
	}
	if !bytes.HasSuffix(out.Bytes(), []byte("\n")) {
		out.WriteByte('\n')
	}
	return out.Bytes(), notes, nil
}

// convertBotParams maps a bot's parameters (over the global ones its node
// kind knows) to ours; notes say what was left out.
func convertBotParams(b *intelmqBot, global *yaml.Node) (params, opts *yaml.Node, notes []string) {
	spec := b.reg.Spec
	byName := map[string]string{}
	for _, p := range spec.Params {
		byName[p.Name] = p.Name
		if p.IntelMQ != "" {
			byName[p.IntelMQ] = p.Name
		}
	}
	params = &yaml.Node{Kind: yaml.MappingNode}
	var retries, delay *yaml.Node
	var generic []string
	take := func(k string, v *yaml.Node, fromGlobal bool) {
		switch k {
		case "destination_queues", "source_queue":
			return
		case "error_max_retries":
			retries = v
			return
		case "error_retry_delay":
			delay = v
			return
		}
		if ours, ok := byName[k]; ok {
			setKey(params, ours, cloneNode(v))
			return
		}
		if k == "rate_limit" && b.runMod != "scheduled" && byName["interval"] == "interval" && !fromGlobal {
			// A continuous collector runs again every rate_limit seconds:
			// our collectors' interval.
			setKey(params, "interval", cloneNode(v))
			return
		}
		if fromGlobal {
			return // global settings apply where the kind has them
		}
		if slices.Contains(topology.IntelMQGenericParams, k) {
			if h, ok := intelmqHints[k]; ok {
				k += " (" + h + ")"
			}
			generic = append(generic, k)
			return
		}
		if spec.ParamsByFactory {
			setKey(params, k, cloneNode(v))
			return
		}
		notes = append(notes, "parameter "+k+" (unknown to "+spec.Name+")")
	}
	for _, m := range []*yaml.Node{global, b.params} {
		if m == nil {
			continue
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			take(m.Content[i].Value, m.Content[i+1], m == global)
		}
	}
	if len(generic) > 0 {
		notes = append(notes, "IntelMQ settings "+strings.Join(generic, ", "))
	}
	// Drop values our spec refuses, so that the file loads; say so.
	if !spec.ParamsByFactory {
		for i := 0; i+1 < len(params.Content); {
			var v any
			_ = params.Content[i+1].Decode(&v)
			if _, err := spec.Validate(map[string]any{params.Content[i].Value: v}); err != nil && !strings.Contains(err.Error(), "required, not given") {
				var pe *topology.ParamError
				if errors.As(err, &pe) && pe.Param == params.Content[i].Value {
					notes = append(notes, fmt.Sprintf("parameter %s: %v", pe.Param, pe.Err))
					params.Content = slices.Delete(params.Content, i, i+2)
					continue
				}
			}
			i += 2
		}
		for _, p := range spec.Params {
			if p.Required && mapValue(params, p.Name) == nil {
				notes = append(notes, "parameter "+p.Name+" is required: set it")
			}
		}
	}
	if retries != nil || delay != nil {
		r := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
		if retries != nil {
			addKey(r, "count", cloneNode(retries))
		}
		if delay != nil {
			if s, err := strconv.ParseFloat(delay.Value, 64); err == nil {
				addKey(r, "backoff", str(strconv.FormatFloat(s, 'f', -1, 64)+"s"))
			}
		}
		opts = &yaml.Node{Kind: yaml.MappingNode}
		addKey(opts, "retries", r)
	}
	return params, opts, notes
}

// consumed says some node reads b's output (or one of its paths).
func consumed(bots []*intelmqBot, b *intelmqBot) bool {
	names := append([]string{b.node}, pathNodeNames(b)...)
	for _, c := range bots {
		if c.reg == nil {
			continue
		}
		for _, in := range c.inputs {
			if slices.Contains(names, in) {
				return true
			}
		}
	}
	return false
}

func pathNodeNames(b *intelmqBot) []string {
	var out []string
	for i := 1; i < len(b.pathNodes); i += 2 {
		out = append(out, b.pathNodes[i])
	}
	return out
}

// hasPathParam says the node kind emits one of IntelMQ's named paths by
// its path parameter (the filter expert).
func hasPathParam(s topology.Spec, path string) bool {
	for _, p := range s.Params {
		if p.Name == "path" && slices.Contains(p.Enum, path) {
			return true
		}
	}
	return false
}

func nodeName(id string) string {
	n := strings.Trim(nodeNameRE.ReplaceAllString(strings.ToLower(id), "-"), "-_")
	if n == "" {
		n = "bot"
	}
	return n
}

func uniqueName(n string, taken map[string]bool) string {
	name := n
	for i := 2; taken[name]; i++ {
		name = fmt.Sprintf("%s-%d", n, i)
	}
	taken[name] = true
	return name
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func scalars(n *yaml.Node) []string {
	switch n.Kind {
	case yaml.ScalarNode:
		return []string{n.Value}
	case yaml.SequenceNode:
		var out []string
		for _, c := range n.Content {
			out = append(out, c.Value)
		}
		return out
	}
	return nil
}

func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func addKey(m *yaml.Node, k string, v *yaml.Node) { m.Content = append(m.Content, str(k), v) }

func setKey(m *yaml.Node, k string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == k {
			m.Content[i+1] = v
			return
		}
	}
	addKey(m, k, v)
}

// cloneNode copies a YAML value without its comments (IntelMQ's comments
// belong to IntelMQ's file).
func cloneNode(n *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	c := *n
	c.HeadComment, c.LineComment, c.FootComment = "", "", ""
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, e := range n.Content {
		c.Content[i] = cloneNode(e)
	}
	return &c
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
