"""What scripts/e2e asks of a metrics endpoint and of Prometheus.
    scrape.py metrics PORT         the body of http://127.0.0.1:PORT/metrics
    scrape.py query PORT EXPR      the value of EXPR in the Prometheus at PORT
                                   now (a number), or "none"
"""
import json
import sys
import urllib.parse
import urllib.request


def get(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.read().decode()


def main():
    what, port = sys.argv[1], sys.argv[2]
    if what == "metrics":
        sys.stdout.write(get(f"http://127.0.0.1:{port}/metrics"))
    elif what == "query":
        q = urllib.parse.urlencode({"query": sys.argv[3]})
        try:
            answer = json.loads(get(f"http://127.0.0.1:{port}/api/v1/query?{q}"))
        except OSError:
            print("none")
            return
        result = answer.get("data", {}).get("result", [])
        print(result[0]["value"][1] if result else "none")
    else:
        sys.exit(f"scrape.py: unknown request {what}")


if __name__ == "__main__":
    main()
