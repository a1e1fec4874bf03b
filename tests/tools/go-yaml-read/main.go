// go-yaml-read -- a test-only reader: how Go's YAML libraries read a stream,
// written out as JSON documents (one per "---" line), so that the suite can
// compare types exactly. "v2" reads each document as Helm 3 and kubectl do,
// with sigs.k8s.io/yaml over gopkg.in/yaml.v2; "v3" with gopkg.in/yaml.v3, as
// Helm 4 and kustomize do. Documents are split at "---" lines as kubectl's
// YAML reader splits them. It is built offline from Debian's golang-*-dev
// packages (tests/tools/go-yaml-read.sh) and never ships.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	yaml3 "gopkg.in/yaml.v3"
	"sigs.k8s.io/yaml"
)

// split cuts the stream at lines that start with "---" followed by nothing
// but blanks or a comment (k8s.io/apimachinery's YAMLReader rule).
func split(data []byte) [][]byte {
	var docs [][]byte
	var cur bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1024*1024), 256*1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		if bytes.HasPrefix(line, []byte("---")) {
			rest := strings.TrimSpace(string(line[3:]))
			if rest == "" || rest[0] == '#' {
				docs = append(docs, append([]byte(nil), cur.Bytes()...))
				cur.Reset()
				continue
			}
		}
		cur.Write(line)
		cur.WriteByte('\n')
	}
	return append(docs, cur.Bytes())
}

// plain turns yaml.v3's values into ones encoding/json takes.
func plain(v interface{}) interface{} {
	switch t := v.(type) {
	case map[string]interface{}:
		for k, x := range t {
			t[k] = plain(x)
		}
		return t
	case map[interface{}]interface{}:
		m := map[string]interface{}{}
		for k, x := range t {
			m[fmt.Sprint(k)] = plain(x)
		}
		return m
	case []interface{}:
		for i, x := range t {
			t[i] = plain(x)
		}
		return t
	}
	return v
}

func main() {
	if len(os.Args) != 3 || (os.Args[1] != "v2" && os.Args[1] != "v3") {
		fmt.Fprintln(os.Stderr, "usage: go-yaml-read v2|v3 FILE")
		os.Exit(2)
	}
	data, err := os.ReadFile(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for i, doc := range split(data) {
		var j []byte
		if os.Args[1] == "v2" {
			j, err = yaml.YAMLToJSON(doc)
		} else {
			var v interface{}
			if err = yaml3.Unmarshal(doc, &v); err == nil {
				j, err = json.Marshal(plain(v))
			}
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "go-yaml-read %s: document %d: %v\n", os.Args[1], i+1, err)
			os.Exit(1)
		}
		if string(j) == "null" {
			continue
		}
		fmt.Fprintf(out, "---\n%s\n", j)
	}
}
