// Package weaviatetest starts real Weaviate servers on loopback for
// integration tests: one node, or a cluster of several on one host, each
// with its own temporary data directory, killed when the test ends.
//
// The server binary is $NEWSDESK_WEAVIATE_BIN, else the one .ci/run
// builds and caches ($HOME/.cache/newsdesk-ci/weaviate-<version>/).
// Without it a test is skipped with a message, unless $CI is set, when it
// fails.
package weaviatetest

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Version is the Weaviate release the tests are written against.
const Version = "v1.35.2"

// Binary returns the server binary, or skips (fails with $CI set) t.
func Binary(t testing.TB) string {
	t.Helper()
	bin := os.Getenv("NEWSDESK_WEAVIATE_BIN")
	if bin == "" {
		if home, err := os.UserHomeDir(); err == nil {
			bin = filepath.Join(home, ".cache", "newsdesk-ci", "weaviate-"+Version, "weaviate-server")
		}
	}
	if fi, err := os.Stat(bin); err != nil || fi.IsDir() {
		msg := fmt.Sprintf("weaviate-server %s not found at %q: build it with `GOBIN=$HOME/.cache/newsdesk-ci/weaviate-%s go install github.com/weaviate/weaviate/cmd/weaviate-server@%s` (or run .ci/run), or set NEWSDESK_WEAVIATE_BIN", Version, bin, Version, Version)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip("SKIP (Weaviate integration): " + msg)
	}
	return bin
}

// Node is one Weaviate server.
type Node struct {
	Name string
	Dir  string
	base int // REST base+0, gRPC +1, gossip +2, data +3, raft +4, raft RPC +5
	bin  string
	env  []string

	url, grpc string // an external server's (NEWSDESK_WEAVIATE_TEST_URL)

	mu  sync.Mutex
	cmd *exec.Cmd
	log *os.File
}

// URL is the node's REST endpoint.
func (n *Node) URL() string {
	if n.url != "" {
		return n.url
	}
	return "http://127.0.0.1:" + strconv.Itoa(n.base)
}

// GRPCAddr is the node's gRPC endpoint.
func (n *Node) GRPCAddr() string {
	if n.grpc != "" {
		return n.grpc
	}
	return "127.0.0.1:" + strconv.Itoa(n.base+1)
}

// Start returns a single node: the one named by
// $NEWSDESK_WEAVIATE_TEST_URL and $NEWSDESK_WEAVIATE_TEST_GRPC (started by
// .ci/run; tests keep apart by collection prefix), else a new one.
func Start(t testing.TB) *Node {
	t.Helper()
	if u := os.Getenv("NEWSDESK_WEAVIATE_TEST_URL"); u != "" {
		return &Node{Name: "external", url: u, grpc: os.Getenv("NEWSDESK_WEAVIATE_TEST_GRPC")}
	}
	return StartCluster(t, 1)[0]
}

// Prefix returns a collection prefix unique to this test run.
func Prefix(t testing.TB) string {
	var b strings.Builder
	b.WriteString("T")
	for _, r := range t.Name() {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	fmt.Fprintf(&b, "%d", rand.IntN(1_000_000))
	return b.String()
}

// StartCluster starts n nodes on loopback that form one cluster (the
// first bootstraps it, the others join it) and waits until every one is
// ready.
func StartCluster(t testing.TB, n int) []*Node {
	t.Helper()
	bin := Binary(t)
	root := t.TempDir()
	nodes := make([]*Node, n)
	var raftJoin []string
	for i := range nodes {
		nodes[i] = &Node{Name: fmt.Sprintf("node%d", i+1), Dir: filepath.Join(root, fmt.Sprintf("node%d", i+1)), base: freeBase(t), bin: bin}
		raftJoin = append(raftJoin, fmt.Sprintf("%s:%d", nodes[i].Name, nodes[i].base+4))
	}
	join := strings.Join(raftJoin, ",")
	if n == 1 {
		join = nodes[0].Name
	}
	for i, nd := range nodes {
		nd.env = append(os.Environ(),
			"PERSISTENCE_DATA_PATH="+nd.Dir,
			"DEFAULT_VECTORIZER_MODULE=none",
			"ENABLE_MODULES=",
			"AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED=true",
			"DISABLE_TELEMETRY=true",
			"GO_PROFILING_DISABLE=true",
			"GO_PROFILING_PORT="+strconv.Itoa(nd.base+6),
			"PROMETHEUS_MONITORING_ENABLED=false",
			"CLUSTER_HOSTNAME="+nd.Name,
			"CLUSTER_ADVERTISE_ADDR=127.0.0.1",
			"CLUSTER_BIND_ADDR=127.0.0.1",
			"CLUSTER_GOSSIP_BIND_PORT="+strconv.Itoa(nd.base+2),
			"CLUSTER_DATA_BIND_PORT="+strconv.Itoa(nd.base+3),
			"RAFT_PORT="+strconv.Itoa(nd.base+4),
			"RAFT_INTERNAL_RPC_PORT="+strconv.Itoa(nd.base+5),
			"RAFT_JOIN="+join,
			"RAFT_BOOTSTRAP_EXPECT="+strconv.Itoa(n),
			"GRPC_PORT="+strconv.Itoa(nd.base+1),
			"QUERY_DEFAULTS_LIMIT=25",
			"LOG_LEVEL=warning",
		)
		if n > 1 {
			nd.env = append(nd.env, "CLUSTER_IN_LOCALHOST=true")
			if i > 0 {
				nd.env = append(nd.env, "CLUSTER_JOIN=127.0.0.1:"+strconv.Itoa(nodes[0].base+2))
			}
		}
		if err := os.MkdirAll(nd.Dir, 0o755); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { nd.Kill() })
	}
	// Node 1 first; the others join once it listens.
	if err := nodes[0].Restart(); err != nil {
		t.Fatal(err)
	}
	if err := waitListen(nodes[0].base+2, time.Minute); err != nil {
		t.Fatalf("node1 gossip port: %v\n%s", err, nodes[0].LogTail())
	}
	for _, nd := range nodes[1:] {
		if err := nd.Restart(); err != nil {
			t.Fatal(err)
		}
	}
	for _, nd := range nodes {
		if err := nd.WaitReady(2 * time.Minute); err != nil {
			t.Fatalf("%s: %v\n%s", nd.Name, err, nd.LogTail())
		}
	}
	return nodes
}

// Restart starts the node's process (again, on the same data directory).
func (n *Node) Restart() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd != nil {
		return fmt.Errorf("%s is running", n.Name)
	}
	lf, err := os.OpenFile(filepath.Join(n.Dir, "server.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(n.bin, "--host", "127.0.0.1", "--port", strconv.Itoa(n.base), "--scheme", "http")
	cmd.Env = n.env
	cmd.Dir = n.Dir
	cmd.Stdout, cmd.Stderr = lf, lf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		lf.Close()
		return fmt.Errorf("start %s: %w", n.Name, err)
	}
	n.cmd, n.log = cmd, lf
	return nil
}

// Kill sends SIGKILL to the node and waits for it to exit.
func (n *Node) Kill() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd == nil {
		return
	}
	_ = n.cmd.Process.Kill()
	_, _ = n.cmd.Process.Wait()
	n.log.Close()
	n.cmd, n.log = nil, nil
}

// PID is the node's server process id, 0 when it is not running or is an
// external server.
func (n *Node) PID() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd == nil || n.cmd.Process == nil {
		return 0
	}
	return n.cmd.Process.Pid
}

// Stop shuts the node down gracefully: SIGTERM, then a wait of up to
// timeout for it to exit (Weaviate flushes its memtables and commit logs
// on the way out), then SIGKILL. It reports whether the node exited by
// itself. The data directory is kept; Restart starts it again on it.
func (n *Node) Stop(timeout time.Duration) (graceful bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd == nil {
		return true
	}
	done := make(chan struct{})
	go func() {
		_, _ = n.cmd.Process.Wait()
		close(done)
	}()
	graceful = true
	if err := n.cmd.Process.Signal(syscall.SIGTERM); err == nil {
		select {
		case <-done:
		case <-time.After(timeout):
			graceful = false
		}
	}
	if !graceful {
		_ = n.cmd.Process.Kill()
		<-done
	}
	n.log.Close()
	n.cmd, n.log = nil, nil
	return graceful
}

// Memory is a process's resident memory from /proc/PID/status, in bytes:
// RSS now (VmRSS) and its peak so far (VmHWM), and the part of RSS that
// is anonymous memory (RssAnon: the heap) and mapped files (RssFile:
// Weaviate maps its segments).
type Memory struct{ RSS, HWM, Anon, File int64 }

// Memory reads the node's resident memory; it fails for an external
// server or a node that is not running.
func (n *Node) Memory() (Memory, error) {
	pid := n.PID()
	if pid == 0 {
		return Memory{}, fmt.Errorf("%s: no local process", n.Name)
	}
	return ProcMemory(pid)
}

// ProcMemory reads the resident memory of process pid (Linux).
func ProcMemory(pid int) (Memory, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Memory{}, err
	}
	var m Memory
	found := 0
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		var dst *int64
		switch k {
		case "VmRSS":
			dst = &m.RSS
		case "VmHWM":
			dst = &m.HWM
		case "RssAnon":
			dst = &m.Anon
		case "RssFile":
			dst = &m.File
		}
		if !ok || dst == nil {
			continue
		}
		f := strings.Fields(v) // "123456 kB"
		if len(f) != 2 || f[1] != "kB" {
			return Memory{}, fmt.Errorf("/proc/%d/status: %s: unexpected %q", pid, k, v)
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return Memory{}, fmt.Errorf("/proc/%d/status: %s: %w", pid, k, err)
		}
		*dst = kb << 10
		found++
	}
	if found != 4 {
		return Memory{}, fmt.Errorf("/proc/%d/status: no VmRSS, VmHWM, RssAnon and RssFile", pid)
	}
	return m, nil
}

// CPUTime is the processor time (user and system) the node's server
// process has used since it started, from /proc/PID/stat.
func (n *Node) CPUTime() (time.Duration, error) {
	pid := n.PID()
	if pid == 0 {
		return 0, fmt.Errorf("%s: no local process", n.Name)
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, field 2, is in parentheses and may hold spaces;
	// utime and stime are fields 14 and 15, in clock ticks.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(string(b[i+1:])) // from field 3
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f)+2)
	}
	var ticks int64
	for _, s := range f[11:13] {
		t, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
		}
		ticks += t
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat's times: 100 on
// every Linux architecture Go supports.
const clockTicks = 100

// DiskUsage is the size in bytes of the files under the node's data
// directory (its log included).
func (n *Node) DiskUsage() (int64, error) {
	if n.Dir == "" {
		return 0, fmt.Errorf("%s: no local data directory", n.Name)
	}
	var total int64
	err := filepath.WalkDir(n.Dir, func(_ string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			fi, err := d.Info()
			if err != nil {
				return err
			}
			total += fi.Size()
		}
		return nil
	})
	return total, err
}

// WaitReady polls /v1/.well-known/ready until it answers 200, the process
// exits, or timeout passes.
func (n *Node) WaitReady(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, n.URL()+"/v1/.well-known/ready", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		n.mu.Lock()
		exited := n.cmd == nil || n.cmd.ProcessState != nil
		n.mu.Unlock()
		if exited {
			return fmt.Errorf("%s is not running", n.Name)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready after %s", n.Name, timeout)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// LogTail returns the last lines of the node's log.
func (n *Node) LogTail() string {
	f, err := os.Open(filepath.Join(n.Dir, "server.log"))
	if err != nil {
		return ""
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > 20 {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n")
}

// freeBase finds seven consecutive free ports.
func freeBase(t testing.TB) int {
	t.Helper()
	for range 200 {
		base := 20000 + rand.IntN(40000)
		ok := true
		var ls []net.Listener
		for p := base; p < base+7; p++ {
			l, err := net.Listen("tcp", ":"+strconv.Itoa(p))
			if err != nil {
				ok = false
				break
			}
			ls = append(ls, l)
		}
		for _, l := range ls {
			l.Close()
		}
		if ok {
			return base
		}
	}
	t.Fatal("no free ports")
	return 0
}

func waitListen(port int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("port %d not listening after %s", port, timeout)
}
