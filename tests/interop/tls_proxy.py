"""A TLS-terminating TCP proxy in front of a plain local server, for testing
grpcs/https/wss clients (jina's own Flow TLS options also switch its internal
gRPC links to TLS, which a loopback test does not need).

Usage: python tls_proxy.py <target-port> <port-file> <certfile> <keyfile> [--h2] [client-ca]
With <client-ca>, clients must present a certificate it signed (mutual TLS).
--h2 negotiates ALPN "h2", which gRPC clients require (the bytes are then
plain-text HTTP/2, what a gRPC server without TLS speaks).
Writes the listening port to <port-file>; runs until SIGTERM.
"""
import asyncio
import os
import signal
import ssl
import sys


async def pipe(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (OSError, ssl.SSLError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    args = [a for a in sys.argv[1:] if a != "--h2"]
    target, port_file, cert, key = int(args[0]), args[1], args[2], args[3]
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    if "--h2" in sys.argv[1:]:
        context.set_alpn_protocols(["h2"])
    if len(args) > 4:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(args[4])

    async def handle(client_reader, client_writer):
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", target)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pipe(client_reader, upstream_writer), pipe(upstream_reader, client_writer))

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context)
    port = server.sockets[0].getsockname()[1]
    with open(port_file + ".tmp", "w") as f:
        f.write(str(port))
    os.replace(port_file + ".tmp", port_file)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
