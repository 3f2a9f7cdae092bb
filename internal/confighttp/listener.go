package confighttp

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mocknacos/mocknacos/internal/config"
	"github.com/mocknacos/mocknacos/internal/httpv1"
	"github.com/mocknacos/mocknacos/internal/journal"
)

// Long-polling constants of LongPollingService (section 4.5).
const (
	longPollingHeader = "Long-Pulling-Timeout"
	noHangUpHeader    = "Long-Pulling-Timeout-No-Hangup"
	minHold           = 10 * time.Second       // MIN_LONG_POOLING_TIMEOUT
	holdDelay         = 500 * time.Millisecond // FIXED_DELAY_TIME
	maxHold           = 24 * time.Hour         // no real client asks more; keeps the arithmetic sane
)

// poll is one held long poll: it listens to the store until a key it
// probed changes.
type poll struct{ changed chan config.Watch }

// Changed keeps the first change only: the real DataChangeTask answers a
// held poll with the one key whose change woke it.
func (p *poll) Changed(w config.Watch) {
	select {
	case p.changed <- w:
	default:
	}
}

// listen is POST /v1/cs/configs/listener (section 4.5; ConfigController.listener,
// ConfigServletInner.doPollingConfig, LongPollingService.addLongPollingClient).
func (s *Server) listen(x *httpv1.Exchange) {
	raw := x.Param("Listening-Configs")
	if !s.listenerFilter(x, raw) {
		return
	}
	if strings.TrimSpace(raw) == "" {
		caused(x, 400, "invalid probeModify")
		return
	}
	// The controller decodes once more after the form decoding.
	decoded, err := javaURLDecode(raw)
	if err != nil {
		caused(x, 400, err.Error())
		return
	}
	probes, err := parseProbes(decoded)
	if err != nil {
		caused(x, 400, "invalid probeModify")
		return
	}
	for i := range probes {
		probes[i].Tenant = s.tenant(probes[i].Tenant)
	}
	if len(probes) == 1 {
		ev := x.Event()
		ev.Namespace, ev.Group, ev.Service = config.Namespace(probes[0].Tenant), probes[0].Group, probes[0].DataID
	}
	timeouts := x.Request().Header.Values(longPollingHeader)
	if len(timeouts) == 0 {
		s.shortPoll(x, probes)
		return
	}
	p := &poll{changed: make(chan config.Watch, 1)}
	changed := s.store.Listen(p, probes)
	defer s.store.UnlistenAll(p)
	if len(changed) > 0 {
		answerChanged(x, changed)
		return
	}
	if strings.EqualFold(x.Request().Header.Get(noHangUpHeader), "true") {
		return // an empty 200 without the no-cache headers
	}
	ms, err := strconv.ParseInt(timeouts[0], 10, 64)
	if err != nil {
		caused(x, 400, `For input string: "`+timeouts[0]+`"`)
		return
	}
	hold := minHold
	if d := time.Duration(min(ms, maxHold.Milliseconds())) * time.Millisecond; d-holdDelay > hold {
		hold = d - holdDelay
	}
	// The hold runs on the wall clock, as the client's read timeout does.
	t := time.NewTimer(hold)
	defer t.Stop()
	select {
	case w := <-p.changed:
		answerChanged(x, []config.Watch{w})
		x.Record(journal.Event{Protocol: journal.HTTP, Kind: journal.ConfigPush, Namespace: config.Namespace(w.Tenant),
			Group: w.Group, Service: w.DataID, Remote: x.Request().RemoteAddr,
			Response: journal.Response{Status: http.StatusOK, Body: changedString([]config.Watch{w})}})
	case <-t.C:
	case <-x.Request().Context().Done():
	case <-s.cfg.Done:
	}
}

// answerChanged is LongPollingService.generateResponse: the changed keys,
// URL-encoded, then a newline (println), with no Content-Type.
func answerChanged(x *httpv1.Exchange, ws []config.Watch) {
	noCache(x.Header())
	x.Answer(http.StatusOK, "", changedString(ws)+"\n")
}

// shortPoll answers a listener request without Long-Pulling-Timeout
// (ConfigServletInner.doPollingConfig): clients older than 2.0.4 get the
// result in headers; newer ones get nothing at all (the 2.4.3 server sets
// it as a request attribute that nothing writes).
func (s *Server) shortPoll(x *httpv1.Exchange, probes []config.Probe) {
	changed := s.store.Compare(probes)
	version := "2.0.0"
	if vs := x.Request().Header.Values("Client-Version"); len(vs) > 0 {
		version = vs[0]
	}
	if versionNumber(version) < 204 {
		x.Header().Add("Probe-Modify-Response", oldChangedString(changed))
		x.Header().Add("Probe-Modify-Response-New", changedString(changed))
	}
	noCache(x.Header())
}

// versionNumber is Protocol.getVersionNumber: the dot-separated parts that
// parse as integers, read as decimal digits.
func versionNumber(v string) int {
	sum := 0
	for _, part := range strings.Split(v, ".") {
		if n, err := strconv.ParseInt(part, 10, 32); err == nil {
			sum = sum*10 + int(n)
		}
	}
	return sum
}

// listenerFilter is the 2.4.3 ParamCheckerFilter with
// ConfigListenerHttpParamExtractor. It decodes and splits Listening-Configs
// on its own; what it cannot split escapes the filter as an exception,
// which Spring Boot answers 500 with its /error JSON. Then every record's
// dataId, group and tenant are checked (400 with CRLF).
func (s *Server) listenerFilter(x *httpv1.Exchange, raw string) bool {
	if s.cfg.V1 || strings.TrimSpace(raw) == "" {
		return true
	}
	decoded, err := javaURLDecode(raw)
	if err != nil {
		x.SpringError(http.StatusInternalServerError, err.Error())
		return false
	}
	if strings.TrimSpace(decoded) == "" {
		return true
	}
	var infos []paramInfo
	for _, line := range javaSplit(decoded, lineSep) {
		words := javaSplit(line, wordSep)
		if len(words) < 2 || len(words) > 4 {
			x.SpringError(http.StatusInternalServerError, "invalid probeModify")
			return false
		}
		in := paramInfo{dataID: words[0], group: words[1]}
		if len(words) == 4 {
			in.namespace = words[3]
		}
		infos = append(infos, in)
	}
	return s.filterCheck(x, infos)
}
