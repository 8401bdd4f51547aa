"""Writes a Callboard CSV with one request from each of N distinct clients, or
with --json the same requests as a document of Callboard's usage API (docs/api.md), in day
buckets, which a static server can answer as a live source.

    python3 bench/gen_clients.py 1000000 > ../bench-run/data/clients-1m.csv
    python3 bench/gen_clients.py 1000000 --json > ../bench-run/data/clients-1m.json

Client i calls on day 2026-10-24 + i % 30 at second i % 86400, GET /api/a/{i % 100}; every 20th answer is a 503.
"""
import sys
from datetime import date, timedelta

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
as_json = "--json" in sys.argv[2:]
first = date(2026, 10, 24)
out = sys.stdout
if as_json:
    out.write(f'{{"from":"{first}","to":"{first + timedelta(days=30)}","granularity":"day","timezone":"UTC","buckets":[\n')
else:
    out.write("timestamp,client_id,client_name,method,url,template,status,ip,user,module,bytes,latency_ms\n")
for i in range(n):
    day = first + timedelta(days=i % 30)
    s = i % 86400
    status = 503 if i % 20 == 0 else 200
    if as_json:
        counts = '"5xx":1' if status == 503 else '"2xx":1'
        comma = "," if i + 1 < n else ""
        out.write(f'{{"start":"{day}T00:00:00Z","client_id":"c{i:07d}","client_name":"Client {i}","template":"/api/a/{{id}}","method":"GET","status":{{{counts}}}}}{comma}\n')
    else:
        out.write(f"{day}T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}Z,c{i:07d},Client {i},GET,/api/a/{i % 100},/api/a/{{id}},{status},,,,,\n")
if as_json:
    out.write("]}\n")
