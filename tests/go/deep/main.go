// Command deep writes a heap profile with one 40-frame stack (main.level01
// calling main.level02 ... main.level40, which allocates) beside a few
// shallow ones, for the flame graph's vertical scrolling: at 24 rows the
// leaf lies below the screen. It uses pprof's reference encoder;
// tests/data/deep/deep.pb.gz is its output:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go run ./tests/go/deep tests/data/deep/deep.pb.gz
package main

import (
	"fmt"
	"os"

	"github.com/google/pprof/profile"
)

func main() {
	p := &profile.Profile{SampleType: []*profile.ValueType{{Type: "inuse_space", Unit: "bytes"}}}
	fn := map[string]*profile.Location{}
	loc := func(name string) *profile.Location {
		if l, ok := fn[name]; ok {
			return l
		}
		f := &profile.Function{ID: uint64(len(p.Function) + 1), Name: name, SystemName: name,
			Filename: "/src/deep/main.go"}
		l := &profile.Location{ID: uint64(len(p.Location) + 1), Line: []profile.Line{{Function: f, Line: int64(10 + len(p.Function))}}}
		p.Function = append(p.Function, f)
		p.Location = append(p.Location, l)
		fn[name] = l
		return l
	}
	var deep []*profile.Location
	for i := 40; i >= 1; i-- {
		deep = append(deep, loc(fmt.Sprintf("main.level%02d", i)))
	}
	deep = append(deep, loc("main.main"), loc("runtime.main"))
	p.Sample = append(p.Sample, &profile.Sample{Location: deep, Value: []int64{6 << 20}})
	for i, n := range []string{"main.small", "main.tiny", "main.other"} {
		p.Sample = append(p.Sample, &profile.Sample{
			Location: []*profile.Location{loc(n), loc("main.main"), loc("runtime.main")},
			Value:    []int64{int64(1<<20) >> i}})
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	p.Write(f)
	f.Close()
}
