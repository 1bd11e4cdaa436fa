"""The OSC receiver a Python user would write with python3-liblo, for
bench_osc: counts the messages that reach its handler. Prints 'ready
PORT', then, when stdin closes, the count."""
import sys
import threading

import liblo

count = 0


def handler(path, args):
    global count
    count += 1


server = liblo.Server()  # a free port
server.add_method(None, None, handler)
done = threading.Event()


def serve():
    while not done.is_set():
        server.recv(50)


t = threading.Thread(target=serve)
t.start()
print("ready", server.port, flush=True)
sys.stdin.read()
done.set()
t.join()
print(count, flush=True)
