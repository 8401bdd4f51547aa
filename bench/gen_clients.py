"""Writes a Callboard CSV with one request from each of N distinct clients (issue 14 case 7).

    python3 bench/gen_clients.py 1000000 > ../bench-run/data/clients-1m.csv

Client i calls on day 2026-10-24 + i % 30 at second i % 86400, GET /api/a/{i % 100}; every 20th answer is a 503.
"""
import sys
from datetime import date, timedelta

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
first = date(2026, 10, 24)
out = sys.stdout
out.write("timestamp,client_id,client_name,method,url,template,status,ip,user,module,bytes,latency_ms\n")
for i in range(n):
    day = first + timedelta(days=i % 30)
    s = i % 86400
    status = 503 if i % 20 == 0 else 200
    out.write(f"{day}T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}Z,c{i:07d},Client {i},GET,/api/a/{i % 100},/api/a/{{id}},{status},,,,,\n")
