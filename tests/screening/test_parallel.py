"""Name preparation spread over worker processes gives what one process gives."""

from __future__ import annotations

from dualuse.screening.legal_forms import register_legal_form
from dualuse.screening.parallel import map_in_chunks
from dualuse.screening.scoring import _normalise_chunk


def test_workers_normalise_like_this_process_with_forms_registered_at_run_time() -> None:
    register_legal_form("Zrt", "jsc", country="HU")  # unknown to a fresh worker's registry
    names = [("Alfa Zrt", "company"), ("ТОО Элем Групп", "company"), ("Иванов Иван", "person")] * 2
    here = map_in_chunks(_normalise_chunk, names, None, min_parallel=10**9)
    spread = map_in_chunks(_normalise_chunk, names, None, min_parallel=2, workers=2)
    assert spread == here
    assert [row[:3] for row in here[:3]] == [
        ("alfa", "jsc", "latin"),
        ("elem grupp", "llp", "cyrillic"),
        ("ivanov ivan", "", "cyrillic"),
    ]
    assert here[0][3:5] == ("jsc|", "HU")  # family and jurisdiction of the form registered at run time
