package logging

import (
	"bytes"
	"fmt"
	"log/slog"
	"log/syslog"
	"net"
	"net/url"
	"os"
	"strconv"
	"time"
)

// facility is daemon (3), as for a service.
const facility = 3

// severity maps slog's levels to syslog's: debug 7, info 6, warning 4,
// error 3.
func severity(l slog.Level) int {
	switch {
	case l < slog.LevelInfo:
		return 7
	case l < slog.LevelWarn:
		return 6
	case l < slog.LevelError:
		return 4
	}
	return 3
}

// syslogSink is a syslog destination; every Write is one message, at the
// level setLevel set last (destWriter holds the lock around both).
type syslogSink struct {
	level   slog.Level
	local   *syslog.Writer // "syslog": the local daemon
	network string         // "udp", "tcp" or "unixgram" for RFC 5424
	addr    string
	conn    net.Conn
	app     string
	host    string
	pid     string
	buf     bytes.Buffer
}

func dialSyslog(dest, app string) (*syslogSink, error) {
	s := &syslogSink{app: app, pid: strconv.Itoa(os.Getpid())}
	if dest == "syslog" {
		w, err := syslog.New(syslog.LOG_DAEMON|syslog.LOG_INFO, app)
		if err != nil {
			return nil, err
		}
		s.local = w
		return s, nil
	}
	u, err := url.Parse(dest)
	if err != nil {
		return nil, err
	}
	switch u.Scheme {
	case "syslog", "syslog+udp":
		s.network, s.addr = "udp", u.Host
	case "syslog+tcp":
		s.network, s.addr = "tcp", u.Host
	case "syslog+unix":
		s.network, s.addr = "unixgram", u.Path
	default:
		return nil, fmt.Errorf("scheme %s: want syslog://, syslog+tcp:// or syslog+unix://", u.Scheme)
	}
	if s.addr == "" {
		return nil, fmt.Errorf("no address in %s", dest)
	}
	if s.network != "unixgram" && u.Port() == "" {
		s.addr = net.JoinHostPort(u.Hostname(), "514")
	}
	if s.host, err = os.Hostname(); err != nil || s.host == "" {
		s.host = "-"
	}
	if s.conn, err = net.DialTimeout(s.network, s.addr, 5*time.Second); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *syslogSink) setLevel(l slog.Level) { s.level = l }

// Write sends p (one formatted record) as one message.
func (s *syslogSink) Write(p []byte) (int, error) {
	msg := bytes.TrimRight(p, "\n")
	if s.local != nil {
		m := string(msg)
		var err error
		switch severity(s.level) {
		case 7:
			err = s.local.Debug(m)
		case 6:
			err = s.local.Info(m)
		case 4:
			err = s.local.Warning(m)
		default:
			err = s.local.Err(m)
		}
		return len(p), err
	}
	// RFC 5424: <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG
	s.buf.Reset()
	fmt.Fprintf(&s.buf, "<%d>1 %s %s %s %s - - ", facility*8+severity(s.level),
		time.Now().UTC().Format("2006-01-02T15:04:05.000000Z"), s.host, s.app, s.pid)
	s.buf.Write(msg)
	frame := s.buf.Bytes()
	if s.network == "tcp" {
		// Octet counting (RFC 6587): the length, a space, the message.
		frame = append([]byte(strconv.Itoa(len(frame))+" "), frame...)
	}
	if _, err := s.conn.Write(frame); err != nil {
		// One new connection (a restarted collector), then give up.
		c, derr := net.DialTimeout(s.network, s.addr, 5*time.Second)
		if derr != nil {
			return 0, err
		}
		s.conn.Close()
		s.conn = c
		if _, err := s.conn.Write(frame); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

func (s *syslogSink) Close() error {
	if s.local != nil {
		return s.local.Close()
	}
	return s.conn.Close()
}
