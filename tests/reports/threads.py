"""A function a render child runs in the sandbox tests: it starts threads, as pango does."""

import threading


def start_threads(count: int) -> int:
    """`count` threads alive at once, each allocating a little; how many ran."""
    ran = []
    together = threading.Barrier(count)

    def work() -> None:
        ran.append([bytes(1000) for _ in range(100)])
        together.wait()

    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(ran)
