package mocknacos

import (
	"errors"
	"fmt"
	"time"

	"github.com/mocknacos/mocknacos/internal/config"
	"github.com/mocknacos/mocknacos/internal/registry"
)

// Restart restarts the mock on the same ports, as a Nacos server restart
// does, and returns when the new server answers.
//
// Like a real restart it loses every ephemeral instance, subscription and
// connection: open HTTP connections and every gRPC HTTP/2 transport are
// closed, not drained, so clients see their connections break (nacos-sdk-go
// v2 reconnects and re-registers only then). It keeps configs, services
// created through the service API, persistent instances, users and valid
// tokens, the journal, injected faults, a pause or blackhole of the gRPC
// connections (a network fault outlives a server restart: clients reconnect
// once ResumeConnections ends it) and the clock's offset. A request
// still in flight to the old server never touches the new state.
func (s *Server) Restart() error {
	s.restartMu.Lock()
	defer s.restartMu.Unlock()
	select {
	case <-s.stop:
		return fmt.Errorf("mocknacos: restart of a closed server")
	default:
	}
	old := s.cur.Load()
	// The instant of the restart: what the old server holds now is what
	// the new one starts from, and whatever is still in flight to the old
	// one is refused from here on, never carried over.
	reg, configs := old.reg.Seal(s.registryConfig()), old.configs.Seal()
	defer close(old.replaced)
	if err := old.stop(0); err != nil {
		s.log.Warn("restart: stopping the old server", "err", err)
	}
	// The ports were just released; the kernel lets a listener take them
	// again at once (Go sets SO_REUSEADDR), but retry briefly in case a
	// client's connect races with it.
	var err error
	for i := 0; i < 50; i++ {
		httpLn, grpcLn, lerr := listenPair(s.opts.host, s.port)
		if lerr == nil {
			next, serr := s.serve(reg, configs, httpLn, grpcLn)
			if serr != nil {
				httpLn.Close()
				grpcLn.Close()
				return serr
			}
			s.cur.Store(next)
			s.log.Info("mocknacos restarted", "http", s.Addr(), "grpc", s.GRPCAddr())
			s.changed.broadcast()
			return nil
		}
		err = lerr
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("mocknacos: restart: %w", err)
}

// onCurrent runs change on the current incarnation and, when a restart
// sealed that one meanwhile, again on the next: a test's own call belongs
// to no incarnation, unlike a request in flight, which a restart refuses.
func (s *Server) onCurrent(change func(*serving) error) error {
	for {
		v := s.cur.Load()
		err := change(v)
		if !errors.Is(err, registry.ErrClosed) && !errors.Is(err, config.ErrClosed) {
			return err
		}
		select {
		case <-v.replaced:
		case <-s.stop:
			return err
		}
		if s.cur.Load() == v {
			return err // the restart failed
		}
	}
}
