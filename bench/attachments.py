"""Attachments: peak RSS growth while uploading 20 MB, and upload wall time vs raw httpx.

Against the emulator in another process (``python -m bench.attachments serve``):

- RSS: a fresh child process (``python -m bench.attachments rss URL FILE``) imports the
  facade, connects, uploads a small file to warm up, then uploads the 20 MB file. Growth is
  the process's high-water mark after the upload (VmHWM) minus its RSS just before,
  which over-states rather than hides growth. Target ≤ 8 MB.
- Wall time: ``chat.upload_attachment(path)`` (StartAttachmentUpload, streamed PUT,
  CompleteAttachmentUpload) vs the same three requests in raw httpx with the file object
  as the streamed PUT body; medians over alternating rounds. Target ≤ 1.2×.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from functools import partial

import httpx

from bench._harness import ROOT, Report, server_process

SIZE = 20 * 1024 * 1024
ROUNDS = 9
INSTANCE_ID = "00000000-0000-4000-8000-000000000001"
FLOW_ID = "00000000-0000-4000-8000-0000000000f1"


def serve() -> None:
    """``python -m bench.attachments serve``: the emulator on a free port, announced as ``PORT n``."""
    import asyncio

    from aiohttp import web
    from connect_participant_emulator import build_app

    async def main() -> None:
        runner = web.AppRunner(build_app(), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        print(f"PORT {runner.addresses[0][1]}", flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


def participant_token(url: str) -> str:
    body = {
        "InstanceId": INSTANCE_ID,
        "ContactFlowId": FLOW_ID,
        "ParticipantDetails": {"DisplayName": "bench"},
        "ClientToken": str(uuid.uuid4()),
    }
    response = httpx.put(f"{url}/contact/chat", json=body)
    response.raise_for_status()
    return str(response.json()["ParticipantToken"])


def _rss_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _peak_rss_bytes() -> int:
    """This process's peak RSS (VmHWM). Not ``ru_maxrss``: Linux carries that across fork and
    exec, so a child of a large parent would report the parent's size as its own peak."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def rss_child(url: str, path: str) -> None:
    """Runs in a fresh process: prints the RSS growth (bytes) of one 20 MB upload as JSON.

    The peak is the larger of the kernel's high-water mark (VmHWM) and a 1 ms sampler's maximum.
    """
    from connect_participant import ParticipantClient

    warm = path + ".warm.pdf"
    with open(warm, "wb") as f:
        f.write(b"w" * 300_000)
    samples: list[int] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            samples.append(_rss_bytes())
            time.sleep(0.001)

    with ParticipantClient(endpoint_url=url) as client, client.connect(participant_token(url)) as chat:
        chat.upload_attachment(warm)
        before = _rss_bytes()
        sampler = threading.Thread(target=sample)
        sampler.start()
        attachment = chat.upload_attachment(path)
        done.set()
        sampler.join()
        high_water = _peak_rss_bytes()
    os.unlink(warm)
    assert attachment.size == os.path.getsize(path)
    print(json.dumps({"growth": max(high_water, *samples) - before, "samples": len(samples)}))


def _raw_upload(http: httpx.Client, token: str, path: str) -> None:
    """StartAttachmentUpload, streamed PUT, CompleteAttachmentUpload with plain httpx."""
    bearer = {"X-Amz-Bearer": token}
    size = os.path.getsize(path)
    start = http.post(
        "/participant/start-attachment-upload",
        json={
            "ContentType": "application/pdf",
            "AttachmentSizeInBytes": size,
            "AttachmentName": os.path.basename(path),
            "ClientToken": str(uuid.uuid4()),
        },
        headers=bearer,
    )
    start.raise_for_status()
    doc = start.json()
    meta = doc["UploadMetadata"]
    with open(path, "rb") as f:
        put = httpx.Request("PUT", meta["Url"], headers=meta["HeadersToInclude"], content=f)
        response = http.send(put)
    response.raise_for_status()
    done = http.post(
        "/participant/complete-attachment-upload",
        json={"AttachmentIds": [doc["AttachmentId"]], "ClientToken": str(uuid.uuid4())},
        headers=bearer,
    )
    done.raise_for_status()


def _connection_token(http: httpx.Client, url: str) -> str:
    response = http.post(
        "/participant/connection",
        json={"Type": ["CONNECTION_CREDENTIALS"], "ConnectParticipant": True},
        headers={"X-Amz-Bearer": participant_token(url)},
    )
    response.raise_for_status()
    return str(response.json()["ConnectionCredentials"]["ConnectionToken"])


def wall_times(url: str, path: str) -> tuple[float, float]:
    from connect_participant import ParticipantClient

    facade: list[float] = []
    raw: list[float] = []
    with ParticipantClient(endpoint_url=url) as client, httpx.Client(base_url=url, timeout=60) as http:
        for round_ in range(ROUNDS + 1):  # the first round warms both up and is not counted
            chat = client.connect(participant_token(url))
            token = _connection_token(http, url)
            # alternate which goes first, so neither always meets a warmer server
            order = [
                ("facade", partial(chat.upload_attachment, path)),
                ("raw", partial(_raw_upload, http, token, path)),
            ]
            for name, upload in order if round_ % 2 else order[::-1]:
                begin = time.perf_counter()
                upload()
                if round_:
                    (facade if name == "facade" else raw).append(time.perf_counter() - begin)
    return statistics.median(facade), statistics.median(raw)


def run(report: Report) -> None:
    report.section(
        f"attachments: one {SIZE // (1024 * 1024)} MB upload against the emulator in another process"
    )
    with tempfile.TemporaryDirectory() as folder, server_process("bench.attachments", "serve") as url:
        path = os.path.join(folder, "bench.pdf")
        with open(path, "wb") as f:
            for _ in range(SIZE // (1024 * 1024)):
                f.write(os.urandom(1024 * 1024))
        child = subprocess.run(
            [sys.executable, "-m", "bench.attachments", "rss", url, path],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        rss = json.loads(child.stdout.strip().splitlines()[-1])
        growth_mb = rss["growth"] / (1024 * 1024)
        report.row("peak RSS growth, facade upload", growth_mb, "MB")
        facade, raw = wall_times(url, path)
        report.row("raw httpx: start + streamed PUT + complete", raw * 1000, "ms")
        report.row("facade upload_attachment", facade * 1000, "ms", ratio_to=raw * 1000, base="raw httpx")
    report.target("attachments: peak RSS growth for 20 MB (MB)", growth_mb, 8.0)
    report.target("attachments: upload wall time vs raw httpx", facade / raw, 1.2)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "rss":
        rss_child(sys.argv[2], sys.argv[3])
    elif sys.argv[1:] == ["serve"]:
        serve()
    else:
        print("usage: python -m bench.attachments (serve | rss URL FILE); normally run by python -m bench")
