"""The rabbitmq tests' independent AMQP client: Debian's python3-pika, so
that what gostash publishes and consumes is checked by another
implementation of AMQP 0-9-1.

Usage: pika_client.py PORT COMMAND [ARGS]; one JSON object per line.
  declare      stdin: {"queue", "durable", "exchange", "type", "key"}; declares
               the exchange (when type is given), the queue and the binding
  publish      stdin: {"exchange", "key", "body", "properties"} per message;
               waits for the broker's confirmation of each
  get QUEUE N TIMEOUT
               takes up to N messages (acknowledging them) until TIMEOUT
               seconds pass without one; prints {"body", "routing_key",
               "exchange", "redelivered", "properties"} per message
  count QUEUE  prints the number of ready messages
  delete QUEUE [EXCHANGE]
"""

import json
import sys
import time

import pika


def connect(port):
    return pika.BlockingConnection(pika.ConnectionParameters(host="127.0.0.1", port=port))


def properties_of(p):
    out = {}
    for name in ("content_type", "content_encoding", "headers", "delivery_mode", "priority",
                 "correlation_id", "reply_to", "expiration", "message_id", "timestamp", "type",
                 "user_id", "app_id"):
        v = getattr(p, name)
        if v is not None:
            if isinstance(v, bytes):
                v = v.decode("utf-8", "replace")
            out[name] = v
    return out


def main():
    port, command, args = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    conn = connect(port)
    ch = conn.channel()
    if command == "declare":
        for line in sys.stdin:
            d = json.loads(line)
            if d.get("type"):
                ch.exchange_declare(d["exchange"], exchange_type=d["type"], durable=d.get("durable", False))
            ch.queue_declare(d["queue"], durable=d.get("durable", False))
            if d.get("exchange"):
                ch.queue_bind(d["queue"], d["exchange"], routing_key=d.get("key", ""))
    elif command == "publish":
        ch.confirm_delivery()
        for line in sys.stdin:
            m = json.loads(line)
            props = pika.BasicProperties(**m.get("properties", {}))
            ch.basic_publish(m.get("exchange", ""), m["key"], m["body"].encode("utf-8"), props)
    elif command == "get":
        queue, n, timeout = args[0], int(args[1]), float(args[2])
        got, last = 0, time.monotonic()
        while got < n and time.monotonic() - last < timeout:
            method, props, body = ch.basic_get(queue, auto_ack=False)
            if method is None:
                time.sleep(0.05)
                continue
            print(json.dumps({"body": body.decode("utf-8", "replace"), "routing_key": method.routing_key,
                              "exchange": method.exchange, "redelivered": method.redelivered,
                              "properties": properties_of(props)}), flush=True)
            ch.basic_ack(method.delivery_tag)
            got, last = got + 1, time.monotonic()
    elif command == "count":
        print(ch.queue_declare(args[0], passive=True).method.message_count)
    elif command == "delete":
        ch.queue_delete(args[0])
        if len(args) > 1:
            ch.exchange_delete(args[1])
    else:
        sys.exit("unknown command " + command)
    conn.close()


if __name__ == "__main__":
    main()
