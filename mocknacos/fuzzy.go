package mocknacos

import (
	"fmt"
	"strings"
	"time"

	"github.com/mocknacos/mocknacos/internal/journal"
)

// Fuzzy watch (3.0 mode): a client watches "namespace>>group>>name"
// patterns of services (NamingService.fuzzyWatch) or configs
// (ConfigService.fuzzyWatch) and is pushed which keys match, then each key
// that comes or goes.
const (
	KindNamingFuzzyWatch = journal.NamingFuzzyWatch // a NamingFuzzyWatchRequest (watch or cancel)
	KindConfigFuzzyWatch = journal.ConfigFuzzyWatch // a ConfigFuzzyWatchRequest (watch or cancel)
	// KindFuzzyPush is a fuzzy watch push: a ...FuzzyWatchSyncRequest or a
	// ...FuzzyWatchChangeNotifyRequest (Request.Type says which); the
	// event's Group and Service are the pattern's.
	KindFuzzyPush = journal.FuzzyPush
)

// WaitForFuzzyPush waits until a fuzzy watch push whose body contains key
// (a service key "namespace@@group@@name" or a config key
// "dataId+group+tenant") has been sent, and returns it: so a test can wait
// for a watcher to have been told of a service or config.
func (s *Server) WaitForFuzzyPush(key string, timeout time.Duration) (Event, error) {
	var found Event
	err := s.WaitFor(timeout, func() bool {
		for _, e := range s.Find(Query{Kind: KindFuzzyPush}) {
			if !e.Rejected && strings.Contains(e.Request.Body, `"`+key+`"`) {
				found = e
				return true
			}
		}
		return false
	})
	if err != nil {
		return Event{}, fmt.Errorf("no fuzzy watch push of %s: %w", key, err)
	}
	return found, nil
}
