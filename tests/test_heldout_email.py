"""bench/heldout_email.py: which sentences of a raw message count as text its sender typed."""

import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[1] / "bench" / "heldout_email.py"
_spec = importlib.util.spec_from_file_location("heldout_email", _PATH)
heldout_email = importlib.util.module_from_spec(_spec)
sys.modules["heldout_email"] = heldout_email  # dataclasses look their module up here
_spec.loader.exec_module(heldout_email)

QUOTED_REPLY = b"""\
From: Ann <ann@example.org>
Subject: Re: [ILUG] Disk trouble
In-Reply-To: <1@example.org>

On Mon, 5 Aug 2002, Bob Smith wrote:
> Has anyone else seen disk errors with the new kernel?
> It fails at boot every time.

I saw the same errors last week on my laptop. Rebooting with the old
kernel fixed it for me.
   $ make -j4 && ./run --all 2>&1 | tee log
See http://example.org/bug/42 for the details.
Thanks.

-- 
Ann Example, Dublin. Call me any time you like on the phone.
_______________________________________________
ILUG mailing list
"""

MULTIPART_WITH_HTML = b"""\
From: Ann <ann@example.org>
Subject: RE: lunch
References: <3@example.org>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="XX"

--XX
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

Let's meet at the caf=E9 near the station at noon. I will bring the printed
report with me.

-----Original Message-----
From: Bob
I think we should talk about the report over lunch today.
--XX
Content-Type: text/html; charset=us-ascii

<html><body><p>This part is HTML and must not be read at all.</p></body></html>
--XX--
"""

THREAD_START_WITH_FOOTER = b"""\
From: Carl <carl@example.org>
Subject: [zzzzteana] A new theory about old maps

Scholars in France produced an extraordinary map of the world in 1507.

To unsubscribe from this group, send an email to the list owner.
"""


@pytest.mark.parametrize("raw, expected, dropped_by", [
    (QUOTED_REPLY,
     ["I saw the same errors last week on my laptop.", "Rebooting with the old kernel fixed it for me."],
     {"attribution": 1, "quoted": 2, "non_letters": 1, "url_or_address": 1, "sentence_length": 1,
      "signature": 1}),
    (MULTIPART_WITH_HTML,  # the declared charset decodes the e-acute; the HTML part is never read
     ["Let's meet at the café near the station at noon.", "I will bring the printed report with me."],
     {"original_message": 1}),
    (THREAD_START_WITH_FOOTER, [], {"message_not_a_reply": 1}),  # a thread's first message is often pasted
])
def test_message_sentences(raw, expected, dropped_by):
    cfg = heldout_email.EmailTextConfig(out_dir=Path("unused"))
    dropped = Counter()
    assert heldout_email.message_sentences(raw, cfg, dropped) == expected
    assert dropped == dropped_by


def test_a_reply_keeps_its_text_up_to_the_list_footer():
    raw = THREAD_START_WITH_FOOTER.replace(b"Subject: [zzzzteana] A", b"Subject: [zzzzteana] Re: A")
    dropped = Counter()
    sentences = heldout_email.message_sentences(raw, heldout_email.EmailTextConfig(out_dir=Path("unused")), dropped)
    assert sentences == ["Scholars in France produced an extraordinary map of the world in 1507."]
    assert dropped == {"list_footer": 1}
