// Command gen writes a synthetic, deterministic Go heap profile
// (profile.proto, gzip-compressed) for benchmarking memtop against
// `go tool pprof`.
//
// The profile imitates what runtime/pprof writes for a large Go service:
//
//   - sample types alloc_objects/count, alloc_space/bytes,
//     inuse_objects/count, inuse_space/bytes; period space/bytes 524288;
//   - one sample per (stack, object size) bucket, each with a numeric
//     "bytes" label holding the object size, values scaled the way the
//     runtime scales sampled heap records;
//   - one mapping (the executable) and one location per program counter,
//     shared by every sample that contains it; some locations carry 2-3
//     Line entries (inlined calls);
//   - ~20k functions over ~300 packages, with Go symbol names
//     ("net/http.(*conn).serve", "pkg.(*T).M.func1", "pkg.F[...]",
//     "gopkg.in/yaml%2ev3.(*decoder).unmarshal") and file/line info;
//   - stacks are random walks through a fixed random call graph that is
//     layered by call depth, starting at runtime.goexit, so stacks share
//     long prefixes as in a real program; some functions recurse and some
//     call sites are indirect (one PC, several callees).
//
// Everything derives from -seed, so the same flags give the same bytes.
package main

import (
	"bufio"
	"encoding/binary"
	"flag"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/google/pprof/profile"
)

const (
	nLevels  = 80     // call-depth layers of the synthetic call graph
	heapRate = 524288 // runtime.MemProfileRate default
	pageSize = 8192
	textBase = 0x401000
)

type pkgKind int

const (
	kRuntime pkgKind = iota
	kStdHigh
	kStdLow
	kThird
	kMainCmd
	kMainAPI
	kMainDomain
	kPlatform
	kProtoGen
)

type pkg struct {
	path   string
	kind   pkgKind
	lo, hi int      // level band of its functions
	dir    string   // directory that holds its source files
	files  []string // full file names
	funcs  []int
	deps   []int // packages it prefers to call into
	used   map[string]bool
	types  []string
	fline  []int64 // next free line per file
	symPfx string  // package path as it appears in symbol names
}

type callee struct {
	fn int
	w  float64
}

type inl struct {
	fn   int
	line int64
}

type site struct {
	off     uint64 // return-PC offset in the function
	line    int64
	callees []callee // empty for allocation sites
	cw      float64  // total callee weight
	inline  []inl    // inlined frames at this PC, innermost first
	w       float64
	// allocation sites
	size     int64 // fixed object size, 0 = variable
	loc      *profile.Location
	selfCall bool
}

type fn struct {
	name   string
	pkg    int
	file   string
	start  int64
	nlines int64
	level  int
	addr   uint64
	size   uint64
	sites  []*site
	sw     float64
	allocs []*site
	aw     float64
	small  bool
	pf     *profile.Function
}

type rtFrame struct {
	fn int
	s  *site
}

type gen struct {
	r        *rand.Rand
	pkgs     []*pkg
	funcs    []*fn
	byLevel  [nLevels][]int
	byPkgLvl map[[2]int][]int
	small    []int
	entries  []callee
	ew       float64
	named    map[string]int // anchor functions by full name

	prof    *profile.Profile
	mapping *profile.Mapping

	rtStacks [][]rtFrame // runtime-only stacks (templates), leaf first
}

func main() {
	var (
		nSamples = flag.Int("samples", 200000, "number of samples (distinct stack/size buckets)")
		out      = flag.String("o", "", "output file (gzip-compressed profile.proto); - for stdout")
		seed     = flag.Int64("seed", 1, "random seed")
		nFuncs   = flag.Int("funcs", 25000, "functions in the synthetic program (not all end up in the profile)")
		meanD    = flag.Float64("depth", 37, "mean target stack depth (clamped to 10..60)")
		quiet    = flag.Bool("q", false, "do not print statistics")
	)
	flag.Float64Var(&skew, "skew", skew, "spread of call-site weights (log-normal sigma)")
	flag.Parse()
	if *out == "" || flag.NArg() != 0 || *nSamples <= 0 {
		fmt.Fprintln(os.Stderr, "usage: gen [-samples N] [-seed S] -o FILE")
		os.Exit(2)
	}
	debug.SetGCPercent(400) // the whole profile is live until written
	t0 := time.Now()
	g := &gen{r: rand.New(rand.NewSource(*seed)), byPkgLvl: map[[2]int][]int{}, named: map[string]int{}}
	g.buildProgram(*nFuncs)
	g.initProfile()
	st := g.sample(*nSamples, *meanD)
	tGen := time.Since(t0)

	var w *bufio.Writer
	var f *os.File
	if *out == "-" {
		f = os.Stdout
	} else {
		var err error
		if f, err = os.Create(*out); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	w = bufio.NewWriterSize(f, 1<<20)
	if err := g.prof.Write(w); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if f != os.Stdout {
		if err := f.Close(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	if !*quiet {
		pk := map[string]bool{}
		for _, pf := range g.prof.Function {
			pk[g.funcs[g.named[pf.Name]].pkgPath(g)] = true
		}
		fmt.Fprintf(os.Stderr, "gen: %d samples, %d locations (%d inline), %d functions in %d packages, 1 mapping\n",
			len(g.prof.Sample), len(g.prof.Location), st.inlineLocs, len(g.prof.Function), len(pk))
		fmt.Fprintf(os.Stderr, "gen: frames/sample mean %.1f min %d max %d (lines mean %.1f); %d recursive samples; %d merged duplicates\n",
			float64(st.frames)/float64(len(g.prof.Sample)), st.minF, st.maxF,
			float64(st.lines)/float64(len(g.prof.Sample)), st.recursive, st.merged)
		fmt.Fprintf(os.Stderr, "gen: build %.2fs, encode %.2fs\n", tGen.Seconds(), time.Since(t0).Seconds()-tGen.Seconds())
	}
}

func (f *fn) pkgPath(g *gen) string { return g.pkgs[f.pkg].path }

// ---------------------------------------------------------------------
// Random helpers

func (g *gen) intn(lo, hi int) int   { return lo + g.r.Intn(hi-lo+1) } // inclusive
func (g *gen) chance(p float64) bool { return g.r.Float64() < p }
func pick[T any](g *gen, xs []T) T   { return xs[g.r.Intn(len(xs))] }

// skewed weight: a few heavy items and a long tail, like call frequencies.
var skew = 1.2

func (g *gen) weight() float64 { return math.Exp(g.r.NormFloat64() * skew) }

func pickW[T any](g *gen, xs []T, w func(T) float64, total float64) T {
	x := g.r.Float64() * total
	for _, v := range xs {
		x -= w(v)
		if x < 0 {
			return v
		}
	}
	return xs[len(xs)-1]
}

// ---------------------------------------------------------------------
// Names

var verbs = strings.Fields(`Get Put Set Read Write Handle Serve Decode Encode Marshal Unmarshal
Process Apply Lookup Insert Delete Flush Build Parse Validate Sync Load Store Fetch Scan Query Exec
Dispatch Run Start Stop Close Open Init New Merge Compute Resolve Visit Walk Append Grow Reset Copy
Clone Update Emit Collect Record Observe Render Format Convert Normalize Compress Decompress Sign
Verify Encrypt Decrypt Hash Split Join Filter Map Reduce Sort Find Match Compile Execute Prepare
Commit Rollback Acquire Release Publish Subscribe Consume Produce Enqueue Dequeue Schedule Refresh
Evict Expire Register Unregister Notify Wrap Unwrap Ensure Check Try Do Call Invoke Send Recv Accept
Dial Listen Poll Wait Signal Add Remove Pop Push Peek Next Prev Seek Fill Drain Split Marshal Write`)

var nouns = strings.Fields(`Request Response Cache Entry Node Tree Buffer Conn Session Client Server
Handler Router Decoder Encoder Store Index Batch Record Row Column Table Query Plan Stream Frame Header
Token Key Value Map Set List Queue Pool Worker Job Task Event Metric Span Trace Logger Config Option
Schema Field Message Codec Shard Segment Block Page Chunk Writer Reader Snapshot Manifest Ledger Order
Invoice Account User Tenant Policy Rule Route Endpoint Backend Upstream Balancer Resolver Registry
Watcher Lease Lock Txn Cursor Iterator Builder Parser Lexer Scanner Printer Template Document Blob
Object Bucket Partition Offset Cluster Member Peer Replica Proposal Vote Term Log Entry Filter Bloom
Counter Gauge Histogram Summary Sample Label Attr Context Deadline Timer Ticker Limiter Window Slot
Arena Slab Region Vector Matrix Graph Edge Vertex Path Query Result Status Error Payload Envelope`)

var pkgWords = strings.Fields(`cache store api auth billing orders users accounts ledger search index
query planner executor storage wal compaction replication raft gossip membership discovery balancer
proxy gateway router middleware ratelimit quota metrics tracing logging config flags featureflag
session tokens crypto keys secrets vault blob objects uploads media thumbnails notifications email
sms push webhook events stream kafka queue scheduler cron jobs worker tasks pipeline etl ingest
export reports analytics geo pricing catalog inventory cart checkout payments fraud risk audit
admin console health status debug pprof grpcx httpx sqlx pgx redisx codec wire protocol frames
schema migrate dbutil retry backoff circuit pool buffers arena intern strutil timeutil idgen uuidx
hashing bloom sketch hll topk trie radix btree lsm sstable memtable manifest snapshot`)

var stdHigh = strings.Fields(`net/http net/http/httputil net/http/pprof net/textproto net/url net
database/sql encoding/json encoding/xml encoding/gob encoding/csv text/template text/template/parse
html/template crypto/tls crypto/x509 mime/multipart mime os/exec runtime/pprof expvar log
go/parser go/scanner go/ast archive/zip archive/tar image/png image/jpeg`)

var stdLow = strings.Fields(`bytes strings strconv fmt bufio io io/ioutil sort context time sync
reflect regexp regexp/syntax errors unicode/utf16 math/big container/heap container/list
compress/gzip compress/flate encoding/binary encoding/base64 encoding/hex hash/crc32 crypto/sha256
crypto/sha512 crypto/aes crypto/cipher crypto/ecdsa crypto/elliptic crypto/rsa crypto/hmac os
path/filepath internal/poll syscall vendor/golang.org/x/net/http2/hpack internal/fmtsort`)

var third = strings.Fields(`google.golang.org/grpc google.golang.org/grpc/internal/transport
google.golang.org/grpc/encoding/proto google.golang.org/grpc/metadata google.golang.org/grpc/status
google.golang.org/protobuf/proto google.golang.org/protobuf/internal/impl
google.golang.org/protobuf/encoding/protojson google.golang.org/protobuf/reflect/protoregistry
google.golang.org/protobuf/internal/filedesc golang.org/x/net/http2 golang.org/x/net/http2/hpack
golang.org/x/net/trace golang.org/x/sync/errgroup golang.org/x/sync/singleflight
golang.org/x/text/unicode/norm golang.org/x/text/transform github.com/prometheus/client_golang/prometheus
github.com/prometheus/client_golang/prometheus/promhttp github.com/prometheus/common/expfmt
github.com/prometheus/client_model/go go.uber.org/zap go.uber.org/zap/zapcore go.uber.org/zap/buffer
github.com/jackc/pgx/v5 github.com/jackc/pgx/v5/pgconn github.com/jackc/pgx/v5/pgtype
github.com/jackc/pgx/v5/pgproto3 github.com/jackc/pgx/v5/pgxpool github.com/redis/go-redis/v9
github.com/redis/go-redis/v9/internal/pool github.com/redis/go-redis/v9/internal/proto
github.com/go-chi/chi/v5 github.com/go-chi/chi/v5/middleware github.com/gorilla/websocket
github.com/golang/snappy github.com/klauspost/compress/zstd github.com/klauspost/compress/flate
github.com/klauspost/compress/gzip go.opentelemetry.io/otel/sdk/trace go.opentelemetry.io/otel/attribute
go.opentelemetry.io/otel/trace go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc
go.opentelemetry.io/proto/otlp/trace/v1 github.com/json-iterator/go github.com/segmentio/kafka-go
github.com/segmentio/kafka-go/protocol github.com/aws/aws-sdk-go-v2/service/s3
github.com/aws/smithy-go/middleware github.com/aws/aws-sdk-go-v2/aws/signer/v4
github.com/hashicorp/golang-lru/v2 github.com/dgraph-io/ristretto github.com/cespare/xxhash/v2
gopkg.in/yaml.v3 github.com/spf13/viper github.com/spf13/cobra github.com/google/uuid
github.com/valyala/fastjson github.com/golang/protobuf/proto github.com/grpc-ecosystem/grpc-gateway/v2/runtime
github.com/envoyproxy/protoc-gen-validate/validate github.com/mitchellh/mapstructure
github.com/pelletier/go-toml/v2 github.com/tidwall/gjson github.com/bits-and-blooms/bitset
github.com/RoaringBitmap/roaring github.com/apache/arrow/go/v14/arrow/array github.com/apache/arrow/go/v14/arrow/memory`)

func lowerFirst(s string) string { return strings.ToLower(s[:1]) + s[1:] }

// symbolPrefix returns the package path as the Go toolchain spells it in
// symbol names: dots in the last path element are escaped as %2e.
func symbolPrefix(path string) string {
	if path == "main" {
		return path
	}
	i := strings.LastIndex(path, "/")
	return path[:i+1] + strings.ReplaceAll(path[i+1:], ".", "%2e")
}

// moduleOf guesses the module root of a non-standard package path.
func moduleOf(path string) string {
	el := strings.Split(path, "/")
	n := 3
	switch el[0] {
	case "google.golang.org", "go.uber.org", "gopkg.in":
		n = 2
	case "go.opentelemetry.io":
		n = 2
		if len(el) > 2 && (el[1] == "otel" && (el[2] == "sdk" || el[2] == "exporters")) {
			n = 3
		}
	}
	if n > len(el) {
		n = len(el)
	}
	if n < len(el) && len(el[n]) >= 2 && el[n][0] == 'v' && el[n][1] >= '0' && el[n][1] <= '9' {
		n++
	}
	return strings.Join(el[:n], "/")
}

func (g *gen) addPkg(path string, kind pkgKind) *pkg {
	p := &pkg{path: path, kind: kind, used: map[string]bool{}, symPfx: symbolPrefix(path)}
	switch kind {
	case kRuntime, kStdHigh, kStdLow:
		p.dir = "/usr/local/go/src/" + path
	case kThird:
		m := moduleOf(path)
		p.dir = fmt.Sprintf("/home/build/go/pkg/mod/%s@v%d.%d.%d%s", m, g.intn(0, 2), g.intn(0, 40), g.intn(0, 12), strings.TrimPrefix(path, m))
	case kMainCmd:
		p.dir = "/src/svc/cmd/svc"
	default:
		p.dir = "/src/" + strings.TrimPrefix(path, "github.com/acme/")
	}
	band := func(loA, loB, wA, wB int) {
		p.lo = g.intn(loA, loB)
		p.hi = p.lo + g.intn(wA, wB)
		if p.hi > nLevels-1 {
			p.hi = nLevels - 1
		}
	}
	switch kind {
	case kRuntime:
		p.lo, p.hi = 0, 0
	case kStdHigh:
		band(2, 30, 15, 45)
	case kStdLow:
		band(30, 60, 15, 45)
	case kThird:
		band(2, 50, 10, 35)
	case kMainCmd:
		p.lo, p.hi = 2, 6
	case kMainAPI:
		band(2, 8, 8, 18)
	case kMainDomain:
		band(6, 35, 10, 25)
	case kPlatform:
		band(4, 45, 10, 30)
	case kProtoGen:
		band(30, 55, 5, 15)
	}
	nt := g.intn(2, 9)
	for i := 0; i < nt; i++ {
		t := pick(g, nouns)
		if g.chance(0.4) {
			t = pick(g, nouns) + t
		}
		if g.chance(0.35) {
			t = lowerFirst(t)
		}
		p.types = append(p.types, t)
	}
	g.pkgs = append(g.pkgs, p)
	return p
}

func (g *gen) fileFor(p *pkg) int {
	if len(p.files) == 0 || (len(p.files) < 40 && g.chance(0.12)) {
		base := p.path[strings.LastIndex(p.path, "/")+1:]
		var name string
		switch g.r.Intn(4) {
		case 0:
			name = base
		case 1:
			name = strings.ToLower(pick(g, nouns))
		case 2:
			name = strings.ToLower(pick(g, verbs)) + "_" + strings.ToLower(pick(g, nouns))
		default:
			name = strings.ToLower(pick(g, nouns)) + strings.ToLower(pick(g, nouns))
		}
		if p.kind == kProtoGen {
			name = strings.ToLower(pick(g, nouns)) + ".pb"
		}
		full := p.dir + "/" + strings.ReplaceAll(name, ".", "_") + ".go"
		if p.kind == kProtoGen {
			full = p.dir + "/" + name + ".go"
		}
		p.files = append(p.files, full)
		p.fline = append(p.fline, int64(g.intn(15, 60)))
	}
	return g.r.Intn(len(p.files))
}

// newFuncName invents a Go symbol name that is unique within package p.
func (g *gen) newFuncName(p *pkg) string {
	for try := 0; ; try++ {
		var n string
		v, o := pick(g, verbs), pick(g, nouns)
		x := g.r.Float64()
		switch {
		case len(p.funcs) > 0 && x < 0.16: // closure of an existing function
			parent := g.funcs[pick(g, p.funcs)].name[len(p.symPfx)+1:]
			if i := strings.Index(parent, ".func"); i >= 0 {
				// closure inside a closure: F.func2.1
				j := i + len(".func")
				for j < len(parent) && parent[j] >= '0' && parent[j] <= '9' {
					j++
				}
				n = fmt.Sprintf("%s.%d", parent[:j], g.intn(1, 3))
			} else {
				n = fmt.Sprintf("%s.func%d", parent, g.intn(1, 6))
			}
		case x < 0.19: // generic function or method
			if g.chance(0.5) {
				n = v + o + "[...]"
			} else {
				n = fmt.Sprintf("(*%s[...]).%s", pick(g, p.types), v)
			}
		case x < 0.62: // pointer-receiver method
			m := v
			if g.chance(0.5) {
				m = v + o
			}
			if g.chance(0.3) {
				m = lowerFirst(m)
			}
			n = fmt.Sprintf("(*%s).%s", pick(g, p.types), m)
		case x < 0.70: // value-receiver method
			n = fmt.Sprintf("%s.%s", pick(g, p.types), v)
		default: // plain function
			n = v + o
			if g.chance(0.4) {
				n = lowerFirst(n)
			}
		}
		if p.kind == kProtoGen && g.chance(0.5) {
			t := pick(g, nouns) + pick(g, []string{"Request", "Response", "Event", "Spec", "Status"})
			n = fmt.Sprintf("(*%s).%s", t, pick(g, []string{"ProtoReflect", "Reset", "String", "GetItems", "GetMeta", "Marshal", "validate"}))
		}
		if try > 20 {
			n = fmt.Sprintf("%s%d", n, try)
		}
		if !p.used[n] {
			p.used[n] = true
			return p.symPfx + "." + n
		}
	}
}

func (g *gen) addFunc(p *pkg, pi int, name string, level int) int {
	fi := g.fileFor(p)
	nl := int64(5 + int(math.Exp(g.r.NormFloat64()*0.9+3.0)))
	if nl > 600 {
		nl = 600
	}
	start := p.fline[fi] + int64(g.intn(2, 12))
	p.fline[fi] = start + nl
	f := &fn{name: name, pkg: pi, file: p.files[fi], start: start, nlines: nl, level: level}
	id := len(g.funcs)
	g.funcs = append(g.funcs, f)
	p.funcs = append(p.funcs, id)
	g.named[name] = id
	return id
}

// ---------------------------------------------------------------------
// The synthetic program

type anchor struct {
	pkg, name string
	level     int
	entryW    float64  // weight as a goroutine entry (level 1 only)
	calls     []string // forced callees (one indirect site)
	recursive bool
}

var anchors = []anchor{
	{"runtime", "runtime.goexit", 0, 0, nil, false},
	{"runtime", "runtime.main", 1, 1.5, []string{"main.main"}, false},
	{"main", "main.main", 2, 0, []string{"main.run"}, false},
	{"main", "main.run", 3, 0, nil, false},
	{"net/http", "net/http.(*conn).serve", 1, 34, []string{"net/http.serverHandler.ServeHTTP", "net/http.(*conn).readRequest"}, false},
	{"net/http", "net/http.serverHandler.ServeHTTP", 2, 0, []string{"github.com/go-chi/chi/v5.(*Mux).ServeHTTP", "net/http.(*ServeMux).ServeHTTP", "net/http.HandlerFunc.ServeHTTP"}, false},
	{"net/http", "net/http.(*conn).readRequest", 2, 0, nil, false},
	{"net/http", "net/http.(*ServeMux).ServeHTTP", 3, 0, []string{"net/http.HandlerFunc.ServeHTTP"}, false},
	{"net/http", "net/http.HandlerFunc.ServeHTTP", 3, 0, nil, false},
	{"github.com/go-chi/chi/v5", "github.com/go-chi/chi/v5.(*Mux).ServeHTTP", 3, 0, []string{"github.com/go-chi/chi/v5.(*Mux).routeHTTP"}, false},
	{"github.com/go-chi/chi/v5", "github.com/go-chi/chi/v5.(*Mux).routeHTTP", 4, 0, nil, false},
	{"net/http", "net/http.(*persistConn).readLoop", 1, 3, nil, false},
	{"net/http", "net/http.(*persistConn).writeLoop", 1, 1, nil, false},
	{"google.golang.org/grpc", "google.golang.org/grpc.(*Server).serveStreams.func1.1", 1, 24, []string{"google.golang.org/grpc.(*Server).handleStream"}, false},
	{"google.golang.org/grpc", "google.golang.org/grpc.(*Server).handleStream", 2, 0, []string{"google.golang.org/grpc.(*Server).processUnaryRPC", "google.golang.org/grpc.(*Server).processStreamingRPC"}, false},
	{"google.golang.org/grpc", "google.golang.org/grpc.(*Server).processUnaryRPC", 3, 0, nil, false},
	{"google.golang.org/grpc", "google.golang.org/grpc.(*Server).processStreamingRPC", 3, 0, nil, false},
	{"google.golang.org/grpc/internal/transport", "google.golang.org/grpc/internal/transport.(*http2Server).HandleStreams", 1, 2, nil, false},
	{"go.opentelemetry.io/otel/sdk/trace", "go.opentelemetry.io/otel/sdk/trace.(*batchSpanProcessor).processQueue", 1, 1.5, nil, false},
	{"encoding/json", "encoding/json.(*decodeState).value", 40, 0, []string{"encoding/json.(*decodeState).object", "encoding/json.(*decodeState).array"}, true},
	{"encoding/json", "encoding/json.(*decodeState).object", 40, 0, []string{"encoding/json.(*decodeState).value"}, false},
	{"encoding/json", "encoding/json.(*decodeState).array", 40, 0, []string{"encoding/json.(*decodeState).value"}, false},
	{"text/template", "text/template.(*state).walk", 35, 0, nil, true},
	{"reflect", "reflect.Value.Call", 30, 0, nil, false},
}

func (g *gen) buildProgram(nFuncs int) {
	// Packages.
	g.addPkg("runtime", kRuntime)
	for _, s := range stdHigh {
		g.addPkg(s, kStdHigh)
	}
	for _, s := range stdLow {
		g.addPkg(s, kStdLow)
	}
	for _, s := range third {
		g.addPkg(s, kThird)
	}
	g.addPkg("main", kMainCmd)
	seen := map[string]bool{}
	for len(g.pkgs) < 300 {
		var path string
		var kind pkgKind
		w1, w2 := pick(g, pkgWords), pick(g, pkgWords)
		switch x := g.r.Float64(); {
		case x < 0.12:
			path, kind = "github.com/acme/svc/internal/api/"+w1, kMainAPI
		case x < 0.55:
			path, kind = "github.com/acme/svc/internal/"+w1, kMainDomain
			if g.chance(0.4) {
				path += "/" + w2
			}
		case x < 0.65:
			path, kind = "github.com/acme/svc/pkg/"+w1, kMainDomain
		case x < 0.92:
			path, kind = "github.com/acme/platform/"+w1, kPlatform
			if g.chance(0.3) {
				path += "/" + w2
			}
		default:
			path, kind = "github.com/acme/proto/gen/go/"+w1+"/v1", kProtoGen
		}
		if !seen[path] {
			seen[path] = true
			g.addPkg(path, kind)
		}
	}
	pkgIdx := map[string]int{}
	for i, p := range g.pkgs {
		pkgIdx[p.path] = i
	}
	// Dependencies: prefer packages whose band lies deeper.
	for i, p := range g.pkgs {
		nd := g.intn(4, 14)
		for t := 0; t < 200 && len(p.deps) < nd; t++ {
			j := g.r.Intn(len(g.pkgs))
			q := g.pkgs[j]
			if j != i && q.kind != kRuntime && q.hi > p.lo && q.lo <= p.hi+6 {
				p.deps = append(p.deps, j)
			}
		}
	}

	// Anchor functions with fixed, well-known names.
	for _, a := range anchors {
		pi := pkgIdx[a.pkg]
		p := g.pkgs[pi]
		p.used[a.name[len(p.symPfx)+1:]] = true
		g.addFunc(p, pi, a.name, a.level)
	}
	// Runtime-only stacks: functions the runtime itself allocates from.
	rt := pkgIdx["runtime"]
	for _, n := range strings.Fields(`mstart mstart0 mstart1 schedule findRunnable park_m mcall
	  newm allocm malg mcommoninit mpreinit startm wakep resetspinning handoffp startTheWorldWithSema
	  gcStart.func3 systemstack gcBgMarkWorker procresize schedinit rt0_go newproc1 newproc.func1
	  main.func1 sysmon mallocgc (*mheap).allocSpan (*mcache).refill`) {
		name := "runtime." + n
		if _, ok := g.named[name]; !ok {
			g.pkgs[rt].used[n] = true
			g.addFunc(g.pkgs[rt], rt, name, 0)
		}
	}

	// Sizes: a few big packages, many small ones.
	weights := make([]float64, len(g.pkgs))
	tw := 0.0
	for i, p := range g.pkgs {
		if p.kind == kRuntime {
			continue
		}
		w := math.Exp(g.r.NormFloat64() * 0.9)
		if p.kind == kStdLow || p.kind == kStdHigh {
			w *= 1.4
		}
		weights[i] = w
		tw += w
	}
	remaining := nFuncs - len(g.funcs)
	for i, p := range g.pkgs {
		if p.kind == kRuntime {
			continue
		}
		n := int(float64(remaining)*weights[i]/tw + 0.5)
		if n < 3 {
			n = 3
		}
		for k := 0; k < n; k++ {
			lvl := g.intn(p.lo, p.hi)
			if lvl < 2 {
				lvl = 2
			}
			g.addFunc(p, i, g.newFuncName(p), lvl)
		}
	}
	// Goroutine entry points: besides the anchors, some functions of
	// service and library packages are started with `go`.
	for i := 0; i < 160; i++ {
		f := g.funcs[g.r.Intn(len(g.funcs))]
		k := g.pkgs[f.pkg].kind
		if f.level > 1 && f.level < 30 && k != kRuntime && k != kStdLow && k != kProtoGen {
			f.level = 1
		}
	}

	for id, f := range g.funcs {
		if f.level >= 0 && g.pkgs[f.pkg].kind != kRuntime || f.name == "runtime.main" || f.name == "runtime.goexit" {
			g.byLevel[f.level] = append(g.byLevel[f.level], id)
			k := [2]int{f.pkg, f.level}
			g.byPkgLvl[k] = append(g.byPkgLvl[k], id)
		}
		if f.nlines < 25 && f.level >= 6 && g.pkgs[f.pkg].kind != kRuntime && !strings.HasSuffix(f.name, "]") && g.chance(0.5) {
			f.small = true
			g.small = append(g.small, id)
		}
	}
	for _, id := range g.byLevel[1] {
		f := g.funcs[id]
		w := 0.3 * g.weight()
		for _, a := range anchors {
			if a.name == f.name {
				w = a.entryW
			}
		}
		if f.name != "runtime.goexit" {
			g.entries = append(g.entries, callee{id, w})
			g.ew += w
		}
	}

	// Machine code layout and call sites.
	addr := uint64(textBase)
	for id, f := range g.funcs {
		f.addr = addr
		f.size = uint64(f.nlines)*uint64(g.intn(10, 40)) + 32
		f.size = (f.size + 31) &^ 31
		addr += f.size
		if g.pkgs[f.pkg].kind == kRuntime {
			continue
		}
		g.makeSites(id)
	}
	// Forced anchor callees and recursion.
	for _, a := range anchors {
		f := g.funcs[g.named[a.name]]
		if len(a.calls) > 0 {
			s := g.newSite(f)
			s.w = 2 + 4*g.r.Float64()
			for _, c := range a.calls {
				w := g.weight()
				s.callees = append(s.callees, callee{g.named[c], w})
				s.cw += w
			}
			f.sites = append(f.sites, s)
			f.sw += s.w
		}
		if a.recursive {
			g.addSelfSite(f, g.named[a.name])
		}
	}
	goexit := g.funcs[g.named["runtime.goexit"]]
	s := &site{off: 1, line: 1700, callees: g.entries, cw: g.ew, w: 1}
	goexit.sites, goexit.sw = []*site{s}, 1
	goexit.nlines = 4
	goexit.start = 1696
	g.funcs[g.named["runtime.goexit"]].file = "/usr/local/go/src/runtime/asm_amd64.s"

	g.buildRuntimeStacks()
	textEnd := addr
	g.mapping = &profile.Mapping{
		ID: 1, Start: 0x400000, Limit: (textEnd + 0x3fffff) &^ 0xfff, Offset: 0,
		File: "/usr/local/bin/svc", BuildID: fmt.Sprintf("%016x%016x%08x", g.r.Uint64(), g.r.Uint64(), g.r.Uint32()),
		HasFunctions: true,
	}
}

func (g *gen) newSite(f *fn) *site {
	return &site{off: uint64(g.r.Int63n(int64(f.size-8))) + 5, line: f.start + 1 + g.r.Int63n(f.nlines)}
}

func (g *gen) addSelfSite(f *fn, id int) {
	if f.sw == 0 {
		return
	}
	// Recurse with probability 0.3 per visit: a few repeats on average.
	s := g.newSite(f)
	s.callees, s.cw, s.selfCall = []callee{{id, 1}}, 1, true
	s.w = f.sw * 0.3 / 0.7
	f.sites = append(f.sites, s)
	f.sw += s.w
}

// calleeAt picks a function at level lvl, preferring f's own package,
// then its dependencies.
func (g *gen) calleeAt(f *fn, lvl int) (int, bool) {
	if lvl >= nLevels || len(g.byLevel[lvl]) == 0 {
		return 0, false
	}
	if g.chance(0.4) {
		if c := g.byPkgLvl[[2]int{f.pkg, lvl}]; len(c) > 0 {
			return pick(g, c), true
		}
	}
	deps := g.pkgs[f.pkg].deps
	for t := 0; t < 6 && len(deps) > 0; t++ {
		if c := g.byPkgLvl[[2]int{pick(g, deps), lvl}]; len(c) > 0 {
			return pick(g, c), true
		}
	}
	return pick(g, g.byLevel[lvl]), true
}

func (g *gen) makeSites(id int) {
	f := g.funcs[id]
	// Call sites: deeper functions have fewer; about 8% are pure allocators.
	n := 0
	if f.level < nLevels-2 && !g.chance(0.02) {
		n = 1 + int(g.r.ExpFloat64()*2.5)
		if n > 14 {
			n = 14
		}
	}
	for i := 0; i < n; i++ {
		step := 1
		switch x := g.r.Float64(); {
		case x < 0.008:
			step = 0
		case x < 0.80:
			step = 1
		case x < 0.95:
			step = 2
		default:
			step = 3
		}
		s := g.newSite(f)
		ncallees := 1
		if g.chance(0.1) { // indirect call through an interface or func value
			ncallees = g.intn(2, 8)
		}
		for k := 0; k < ncallees; k++ {
			var c int
			var ok bool
			if step == 0 {
				// mutual recursion inside the package
				if cs := g.byPkgLvl[[2]int{f.pkg, f.level}]; len(cs) > 1 {
					c, ok = pick(g, cs), true
				}
			} else {
				c, ok = g.calleeAt(f, f.level+step)
			}
			if !ok || g.pkgs[g.funcs[c].pkg].kind == kRuntime {
				continue
			}
			w := g.weight()
			s.callees = append(s.callees, callee{c, w})
			s.cw += w
		}
		if len(s.callees) == 0 {
			continue
		}
		g.maybeInline(f, s)
		s.w = g.weight()
		f.sites = append(f.sites, s)
		f.sw += s.w
	}
	if f.level >= 10 && g.chance(0.012) {
		g.addSelfSite(f, id)
	}
	// Allocation sites.
	na := 1 + int(g.r.ExpFloat64()*1.2)
	for i := 0; i < na && i < 8; i++ {
		s := g.newSite(f)
		if g.chance(0.7) {
			s.size = g.objSize()
		}
		g.maybeInline(f, s)
		s.w = g.weight()
		f.allocs = append(f.allocs, s)
		f.aw += s.w
	}
}

func (g *gen) maybeInline(f *fn, s *site) {
	if len(g.small) == 0 || !g.chance(0.09) {
		return
	}
	k := 1
	if g.chance(0.3) {
		k = 2
	}
	for i := 0; i < k; i++ {
		c := g.funcs[pick(g, g.small)]
		s.inline = append([]inl{{g.named[c.name], c.start + 1 + g.r.Int63n(c.nlines)}}, s.inline...)
	}
}

func (g *gen) buildRuntimeStacks() {
	tmpl := [][]string{
		{"allocm", "newm", "startm", "wakep", "resetspinning", "schedule", "park_m", "mcall"},
		{"allocm", "newm", "startm", "handoffp", "systemstack"},
		{"malg", "allocm", "newm", "startTheWorldWithSema", "gcStart.func3", "systemstack"},
		{"malg", "mpreinit", "mcommoninit", "schedinit", "rt0_go"},
		{"procresize", "schedinit", "rt0_go"},
		{"allocm", "newm", "main.func1", "systemstack"},
		{"gcBgMarkWorker"},
		{"malg", "newproc1", "newproc.func1", "systemstack"},
		{"(*mcache).refill", "mallocgc", "allocm", "newm", "startm", "wakep", "resetspinning", "schedule", "park_m", "mcall"},
	}
	for _, t := range tmpl {
		var st []rtFrame
		for _, n := range t {
			id := g.named["runtime."+n]
			f := g.funcs[id]
			if f.allocs == nil {
				f.allocs = []*site{g.newSite(f)}
			}
			st = append(st, rtFrame{id, f.allocs[0]})
		}
		g.rtStacks = append(g.rtStacks, st)
	}
}

// Go's size classes (runtime/sizeclasses.go), used for object sizes.
var sizeClasses = []int64{8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224,
	240, 256, 288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280,
	1408, 1536, 1792, 2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912,
	8192, 9472, 9728, 10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576,
	27264, 28672, 32768}

func (g *gen) objSize() int64 {
	if g.chance(0.03) { // large object: whole pages
		return int64(4+int(math.Exp(g.r.Float64()*7))) * pageSize
	}
	i := int(math.Floor(math.Pow(g.r.Float64(), 2.2) * float64(len(sizeClasses))))
	return sizeClasses[i]
}

// scale undoes heap sampling the way runtime/pprof does.
func scale(count, size int64) (int64, int64) {
	if count == 0 || size == 0 {
		return 0, 0
	}
	avg := float64(size) / float64(count)
	s := 1 / (1 - math.Exp(-avg/heapRate))
	return int64(float64(count) * s), int64(float64(size) * s)
}

// ---------------------------------------------------------------------
// Profile

func (g *gen) initProfile() {
	g.prof = &profile.Profile{
		SampleType: []*profile.ValueType{
			{Type: "alloc_objects", Unit: "count"},
			{Type: "alloc_space", Unit: "bytes"},
			{Type: "inuse_objects", Unit: "count"},
			{Type: "inuse_space", Unit: "bytes"},
		},
		PeriodType:    &profile.ValueType{Type: "space", Unit: "bytes"},
		Period:        heapRate,
		TimeNanos:     1700000000123456789,
		DurationNanos: 1838211,
		Mapping:       []*profile.Mapping{g.mapping},
	}
}

func (g *gen) function(id int) *profile.Function {
	f := g.funcs[id]
	if f.pf == nil {
		f.pf = &profile.Function{ID: uint64(len(g.prof.Function) + 1), Name: f.name, SystemName: f.name,
			Filename: f.file, StartLine: f.start}
		g.prof.Function = append(g.prof.Function, f.pf)
	}
	return f.pf
}

// location returns the (shared) location of site s in function id.
func (g *gen) location(id int, s *site) *profile.Location {
	if s.loc == nil {
		f := g.funcs[id]
		l := &profile.Location{ID: uint64(len(g.prof.Location) + 1), Mapping: g.mapping, Address: f.addr + s.off}
		for _, in := range s.inline {
			l.Line = append(l.Line, profile.Line{Function: g.function(in.fn), Line: in.line})
		}
		l.Line = append(l.Line, profile.Line{Function: g.function(id), Line: s.line})
		s.loc = l
		g.prof.Location = append(g.prof.Location, l)
	}
	return s.loc
}

type stats struct {
	frames, lines, recursive, merged, inlineLocs int
	minF, maxF                                   int
}

type bucket struct {
	s    *profile.Sample
	size int64
	n    int64 // unscaled allocation count
	live int64 // unscaled in-use count
}

func (g *gen) sample(n int, meanD float64) stats {
	st := stats{minF: 1 << 30}
	index := make(map[uint64]int32, n)
	buckets := make([]bucket, 0, n)
	goexit := g.named["runtime.goexit"]
	var path []*profile.Location
	var buf [8]byte
	for len(buckets) < n {
		path = path[:0]
		var size int64
		if len(buckets) > 100 && g.chance(0.12) {
			// Same stack, different object size: a new bucket, as when
			// a make([]T, n) site allocates varying lengths.
			b := buckets[g.r.Intn(len(buckets))]
			path = append(path, b.s.Location...)
			size = g.objSize()
		} else if g.chance(0.002) {
			for _, fr := range pick(g, g.rtStacks) {
				path = append(path, g.location(fr.fn, fr.s))
			}
			size = sizeClasses[g.intn(10, 40)]
		} else {
			d := int(math.Round(meanD + g.r.NormFloat64()*10))
			if d < 10 {
				d = 10
			} else if d > 60 {
				d = 60
			}
			cur := goexit
			for {
				f := g.funcs[cur]
				if len(path)+1 >= d || len(f.sites) == 0 {
					a := pickW(g, f.allocs, func(s *site) float64 { return s.w }, f.aw)
					path = append(path, g.location(cur, a))
					size = a.size
					if size == 0 {
						size = g.objSize()
					}
					break
				}
				s := pickW(g, f.sites, func(s *site) float64 { return s.w }, f.sw)
				path = append(path, g.location(cur, s))
				cur = pickW(g, s.callees, func(c callee) float64 { return c.w }, s.cw).fn
			}
			// profile order is leaf first
			for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
				path[i], path[j] = path[j], path[i]
			}
		}

		h := fnv.New64a()
		for _, l := range path {
			binary.LittleEndian.PutUint64(buf[:], l.ID)
			h.Write(buf[:])
		}
		binary.LittleEndian.PutUint64(buf[:], uint64(size))
		h.Write(buf[:])
		key := h.Sum64()

		// Sampled allocations in this bucket: mostly 1, with a long tail.
		// Most buckets of a long-running process are entirely freed.
		cnt := int64(math.Pow(1-g.r.Float64(), -0.6))
		if cnt > 100000 {
			cnt = 100000
		}
		live := int64(0)
		switch x := g.r.Float64(); {
		case x < 0.8:
		case x < 0.83:
			live = cnt
		default:
			live = int64(float64(cnt) * g.r.Float64())
		}
		if i, ok := index[key]; ok {
			buckets[i].n += cnt
			buckets[i].live += live
			st.merged++
			continue
		}
		index[key] = int32(len(buckets))
		s := &profile.Sample{Location: append([]*profile.Location(nil), path...),
			NumLabel: map[string][]int64{"bytes": {size}}}
		buckets = append(buckets, bucket{s: s, size: size, n: cnt, live: live})
	}
	g.prof.Sample = make([]*profile.Sample, len(buckets))
	stamp := make([]int, len(g.prof.Function)+1)
	for i, b := range buckets {
		ao, as := scale(b.n, b.n*b.size)
		io, is := scale(b.live, b.live*b.size)
		b.s.Value = []int64{ao, as, io, is}
		g.prof.Sample[i] = b.s
		nf := len(b.s.Location)
		st.frames += nf
		rec := false
		for _, l := range b.s.Location {
			st.lines += len(l.Line)
			for _, ln := range l.Line {
				if stamp[ln.Function.ID] == i+1 {
					rec = true
				}
				stamp[ln.Function.ID] = i + 1
			}
		}
		if rec {
			st.recursive++
		}
		if nf < st.minF {
			st.minF = nf
		}
		if nf > st.maxF {
			st.maxF = nf
		}
	}
	for _, l := range g.prof.Location {
		if len(l.Line) > 1 {
			st.inlineLocs++
		}
	}
	return st
}
