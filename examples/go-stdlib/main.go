// Command go-stdlib is a DeployMind example: a Go app using only the standard library,
// serving / and /health on $PORT.
package main

import (
	"context"
	"encoding/json"
	"log"
	"math/rand"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
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
	version := os.Getenv("APP_VERSION")
	if version == "" {
		version = "dev"
	}
	// FAIL_RATE (0..1) makes that share of requests to / answer 500 while /health stays fine:
	// a "bad release" for canary tests and demos.
	failRate, _ := strconv.ParseFloat(os.Getenv("FAIL_RATE"), 64)
	// UNHEALTHY=1 makes /health answer 503: a release that never gets healthy.
	unhealthy := os.Getenv("UNHEALTHY") == "1"

	mux := http.NewServeMux()
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		if unhealthy {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unhealthy"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found"})
			return
		}
		if failRate > 0 && rand.Float64() < failRate {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "injected failure (FAIL_RATE)"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"app": "go-stdlib-example", "version": version, "message": "Hello from DeployMind"})
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
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = server.Shutdown(ctx)
}
