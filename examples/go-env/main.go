// Command go-env is a DeployMind example: a Go app (standard library only) that needs configuration
// and secrets from its environment. GET /env answers, for each variable named in CHECK_ENV (comma
// separated), whether it is set and the SHA-256 of its value: enough to prove a secret arrived,
// never the secret itself.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

type variable struct {
	Set    bool   `json:"set"`
	SHA256 string `json:"sha256,omitempty"`
}

func main() {
	host := os.Getenv("HOST")
	if host == "" {
		host = "0.0.0.0"
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("/env", func(w http.ResponseWriter, r *http.Request) {
		answer := map[string]variable{}
		for _, name := range strings.Split(os.Getenv("CHECK_ENV"), ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			value, ok := os.LookupEnv(name)
			if !ok {
				answer[name] = variable{}
				continue
			}
			sum := sha256.Sum256([]byte(value))
			answer[name] = variable{Set: true, SHA256: hex.EncodeToString(sum[:])}
		}
		writeJSON(w, http.StatusOK, answer)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"app": "go-env-example", "mode": os.Getenv("MODE")})
	})

	server := &http.Server{Addr: host + ":" + port, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		log.Printf("listening on http://%s:%s", host, port)
		if err := server.ListenAndServe(); err != nil && err != http.ErrServerClosed {
			log.Fatal(err)
		}
	}()

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, os.Interrupt)
	<-stop
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = server.Shutdown(ctx)
}
