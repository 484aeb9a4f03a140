"""Minimal PyTorch CPU HTTP server for the digits task: the reference point for the burn miner.

Same architecture as offchain-neuron's medium CNN (conv 1->8 3x3 same, ReLU, maxpool 2;
conv 8->16 3x3 same, ReLU, maxpool 2; linear 784->64, ReLU; linear 64->10), same request and
response JSON (POST /digits {width,height,count,pixels: base64} -> {probs: [[10 floats], ...]}).
It does NOT verify signatures or sign responses (the burn miner does both): the comparison
favours this server on protocol work. Weights are random: speed does not depend on them.

Standard library HTTP server (ThreadingHTTPServer) + torch only; no numpy.

    python server.py --port 8092 --threads 2
"""

import argparse
import base64
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import torch
from torch import nn


class DigitCnn(nn.Module):
    def __init__(self, c1=8, c2=16, hidden=64):
        super().__init__()
        self.conv1 = nn.Conv2d(1, c1, 3, padding=1)
        self.conv2 = nn.Conv2d(c1, c2, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(c2 * 7 * 7, hidden)
        self.fc2 = nn.Linear(hidden, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))
        x = self.pool(torch.relu(self.conv2(x)))
        x = torch.relu(self.fc1(torch.flatten(x, 1)))
        return self.fc2(x)


MODEL = DigitCnn().eval()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle + delayed ACK add ~40 ms
    # to every keep-alive response, which would measure the socket, not PyTorch.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def do_GET(self):
        self._send(200, b'{"ok":true}')

    def do_POST(self):
        if self.path != "/digits":
            return self._send(404, b'{"error":"not_found"}')
        n = int(self.headers.get("Content-Length", "0"))
        req = json.loads(self.rfile.read(n))
        count, w, h = req["count"], req["width"], req["height"]
        raw = base64.b64decode(req["pixels"])
        if len(raw) != count * w * h:
            return self._send(422, b'{"error":"bad_request_body"}')
        x = torch.frombuffer(bytearray(raw), dtype=torch.uint8).to(torch.float32).div_(255.0)
        with torch.inference_mode():
            probs = torch.softmax(MODEL(x.view(count, 1, h, w)), dim=1)
        self._send(200, json.dumps({"probs": probs.tolist()}).encode())

    def _send(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=8092)
    ap.add_argument("--threads", type=int, default=2, help="torch intra-op threads")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"pytorch {torch.__version__} server listening on http://127.0.0.1:{args.port}", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
