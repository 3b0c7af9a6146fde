# An HTTP server from Python's standard library that prints each request
# it gets (method, path, content type, body) on one line and answers 200:
# an implementation independent of Go's for the http output's tests.
import http.server
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    def handle_any(self):
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length).decode()
        print(self.command, self.path, self.headers.get("Content-Type", ""), body, flush=True)
        self.send_response(200)
        self.end_headers()

    do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

    def log_message(self, *args):
        pass


http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
