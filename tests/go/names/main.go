// Command names writes a heap profile whose function names are the shapes
// other tools trip on: bytes that are not UTF-8, control characters (an
// ANSI escape), a Go generic instantiation with an interface type argument,
// a method of a generic type, and a demangled C++ name. It uses pprof's
// reference encoder; tests/data/names/names.pb.gz is its output:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go run ./tests/go/names tests/data/names/names.pb.gz
package main

import (
	"os"

	"github.com/google/pprof/profile"
)

func main() {
	names := []string{"main.ok", "main.bad\xff\xfename", "main.ctl\x01\x1b[31mred", "go-loser.New[go.shape.uint64,go.shape.interface { At() github.com/prometheus/prometheus/storage.SeriesRef; Err() error; Next() bool; Seek(github.com/prometheus/prometheus/storage.SeriesRef) bool }]", "main.(*T[go.shape.int]).M", "std::vector<int>::push_back(int const&)"}
	p := &profile.Profile{SampleType: []*profile.ValueType{{Type: "inuse_space", Unit: "bytes"}}}
	for i, n := range names {
		f := &profile.Function{ID: uint64(i + 1), Name: n, SystemName: n}
		l := &profile.Location{ID: uint64(i + 1), Line: []profile.Line{{Function: f}}}
		p.Function = append(p.Function, f)
		p.Location = append(p.Location, l)
		p.Sample = append(p.Sample, &profile.Sample{Location: []*profile.Location{l}, Value: []int64{int64(100 * (i + 1))}})
	}
	f, _ := os.Create(os.Args[1])
	p.Write(f)
	f.Close()
}
