// Package conformance is the differential conformance suite: the same
// requests, hand-written and generated, sent to the mock and to a real Nacos
// server of the imitated version, compared answer by answer. Its tests carry
// the build tag `conformance` (make conformance; see README.md).
package conformance
