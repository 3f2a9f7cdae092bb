package grpcv2

import (
	"time"

	"github.com/mocknacos/mocknacos/internal/journal"
)

// ejectLoop is the real server's NacosRuntimeConnectionEjector
// (nacos-protocol.md 2.3): every few seconds of WALL time, connections idle
// for the keep-alive time are sent a ClientDetectionRequest, and those that
// do not answer successfully in time are closed. Clients health-check every
// 5 s, so a live client is never ejected; the mock clock plays no part.
func (s *Server) ejectLoop() {
	defer s.wg.Done()
	t := time.NewTicker(s.cfg.DetectInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case now := <-t.C:
			s.detectIdle(now)
		}
	}
}

func (s *Server) detectIdle(now time.Time) {
	for _, c := range s.liveConns() {
		if !c.valid() || now.Sub(time.Unix(0, c.lastActive.Load())) < s.cfg.IdleTimeout {
			continue
		}
		if !c.detecting.CompareAndSwap(false, true) {
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.detecting.Store(false)
			s.detect(c)
		}()
	}
}

func (s *Server) detect(c *conn) {
	resp, body, err := s.request(c, typeClientDetectionRequest, "internal", nil, s.cfg.DetectTimeout)
	s.recordAnswer(c, journal.ClientDetection, typeClientDetectionRequest, body, resp, err)
	if err == nil {
		if code, _, _ := answerOf(resp); code == codeSuccess {
			c.touch()
			return
		}
	}
	if s.stopping.Load() || c.isClosed() {
		return
	}
	reason := "client detection failed"
	if err != nil {
		reason += ": " + err.Error()
	}
	s.closeConn(c, reason)
}
