package launch

import "errors"

// ExitError is a failure to run the container's command, with the exit
// code docker uses: 125 when rl fails, 126 when the command cannot be
// executed, 127 when it is not found.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// ExitCode is the exit code for a failure: an ExitError's code, else 125
// (rl itself failed).
func ExitCode(err error) int {
	if exit, ok := errors.AsType[*ExitError](err); ok {
		return exit.Code
	}
	return 125
}
