package httpv1

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/mocknacos/mocknacos/internal/registry"
)

// errKind is the Java exception the real server would throw; the answer's
// status and body depend on it and on the server generation (facts from
// naming/.../exception/ResponseExceptionHandler.java@2.4.3 and the 1.4.8
// ConsoleExceptionHandler that catches naming errors there).
type errKind int

const (
	// illegalArgument: IllegalArgumentException or NumberFormatException.
	illegalArgument errKind = iota
	// nacosException: NacosException(code, msg).
	nacosException
	// runtimeException: NacosRuntimeException(code, msg).
	runtimeException
	// paramCheck: the 2.4.3 ParamCheckerFilter's 400, before any controller.
	paramCheck
	// missingParam: Spring's MissingServletRequestParameterException.
	missingParam
	// filterError: an error a servlet filter sends with sendError, which
	// Spring Boot answers with its /error JSON.
	filterError
)

type apiError struct {
	kind errKind
	code int
	msg  string
}

func (e *apiError) Error() string { return e.msg }

func badRequest(msg string) *apiError { return &apiError{kind: illegalArgument, code: 400, msg: msg} }

func nacosErr(code int, msg string) *apiError {
	return &apiError{kind: nacosException, code: code, msg: msg}
}

func asAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var re *registry.Error
	if errors.As(err, &re) {
		if re.Runtime {
			return &apiError{kind: runtimeException, code: re.Status, msg: re.Msg}
		}
		return nacosErr(re.Status, re.Msg)
	}
	return nacosErr(500, err.Error())
}

// render is the status, body and content type the imitated server answers.
func (e *apiError) render(mode registry.Mode) (int, string, string) {
	const text = "text/plain;charset=UTF-8"
	if mode == registry.ModeV1 {
		// 1.4.8: IllegalArgumentException is 400, everything else 500, both
		// as ExceptionUtil.getAllExceptionMsg.
		status := 500
		if e.kind == illegalArgument {
			status = 400
		}
		msg := e.msg
		if e.kind == missingParam {
			msg = "Required request parameter '" + e.msg + "' for method parameter type String is not present"
		}
		return status, "caused: " + msg + ";", text
	}
	switch e.kind {
	case filterError:
		return e.code, e.msg, "application/json"
	case runtimeException:
		return e.code, fmt.Sprintf("errCode: %d, errMsg: %s ", e.code, e.msg), text
	case paramCheck:
		return 400, e.msg + "\r\n", ""
	case missingParam:
		return 400, "Parameter '" + e.msg + "' is missing", text
	case illegalArgument:
		return 400, e.msg, text
	}
	return e.code, e.msg, text
}

// parseInt is Integer.parseInt: a NumberFormatException names the input.
func parseInt(s string) (int, error) {
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, badRequest(fmt.Sprintf("For input string: \"%s\"", s))
	}
	return int(n), nil
}

// parseDouble is Double.parseDouble (NaN and infinities refused: nothing
// downstream can encode them).
func parseDouble(s string) (float64, error) {
	f, err := strconv.ParseFloat(trimJava(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		if s == "" {
			return 0, badRequest("empty String")
		}
		return 0, badRequest(fmt.Sprintf("For input string: \"%s\"", s))
	}
	return f, nil
}
