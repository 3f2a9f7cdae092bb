package httpv1

import (
	"bytes"
	"compress/gzip"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/mocknacos/mocknacos/internal/journal"
	"github.com/mocknacos/mocknacos/internal/registry"
)

// udpPusher sends 1.x push datagrams from one socket on 127.0.0.1 and reads
// the clients' acks on it (nacos-protocol.md 2.2).
type udpPusher struct {
	s    *Server
	conn *net.UDPConn
	done sync.WaitGroup
}

func newUDPPusher(s *Server) (*udpPusher, error) {
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, err
	}
	u := &udpPusher{s: s, conn: conn}
	u.done.Add(1)
	go u.readAcks()
	return u, nil
}

// readAcks drains the clients' push-ack datagrams; their content is not
// needed (a lost push is repaired by the client's next poll).
func (u *udpPusher) readAcks() {
	defer u.done.Done()
	buf := make([]byte, 64*1024)
	for {
		if _, _, err := u.conn.ReadFromUDP(buf); err != nil {
			return
		}
	}
}

func (u *udpPusher) close() error {
	err := u.conn.Close()
	u.done.Wait()
	return err
}

// udpTarget is one 1.x subscriber: a UDP port at the address its poll came
// from (never the clientIP parameter, which names a LAN address).
type udpTarget struct {
	s     *Server
	ip    string
	port  int
	agent string
}

type udpPacket struct {
	Type        string `json:"type"`
	Data        string `json:"data"`
	LastRefTime int64  `json:"lastRefTime"`
}

var nanoBase = time.Now()

// Push sends the view as a "dom" datagram, gzip-compressed from 1 KiB as the
// real server does.
func (t *udpTarget) Push(v *registry.View) {
	mode := t.s.reg.Mode()
	view := encodeView(mode, v, registry.DefaultPushCacheMillis, groupedForAgent(t.agent))
	if si, ok := view.(ServiceInfo); ok {
		// 2.x PushExecutorUdpImpl builds a new ServiceInfo without groupName.
		si.GroupName = ""
		view = si
	}
	data, err := marshalJSON(view)
	if err != nil {
		return
	}
	pkt, err := marshalJSON(udpPacket{Type: "dom", Data: string(data), LastRefTime: int64(time.Since(nanoBase))})
	if err != nil {
		return
	}
	wire := pkt
	if len(pkt) >= 1024 {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(pkt)
		_ = zw.Close()
		wire = buf.Bytes()
	}
	addr := &net.UDPAddr{IP: net.ParseIP(t.ip), Port: t.port}
	_, werr := t.s.udp.conn.WriteToUDP(wire, addr)
	ev := journal.Event{Protocol: journal.HTTP, Kind: journal.Push, Namespace: v.Key.Namespace, Group: v.Key.Group,
		Service: v.Key.Name, IP: t.ip, Port: t.port,
		Request: journal.Request{Type: "udp-push", Body: string(pkt)}}
	if werr != nil {
		ev.Rejected, ev.Error = true, werr.Error()
	}
	ev.Remote = t.ip + ":" + strconv.Itoa(t.port)
	t.s.cfg.Record(ev)
}
