"""Cost of the acknowledgement's related reading on PostgreSQL, per patient question.

    python bench/related_reading.py                 # fresh database, `flask seed` content
    python bench/related_reading.py --pad-kb 25     # article bodies padded to ~25 KB, as in production
    python bench/related_reading.py --copies 50     # each article 50 times over (500 articles)
    python bench/related_reading.py --explain       # also EXPLAIN ANALYZE the search statement(s)

Makes a fresh PostgreSQL database (BENCH_POSTGRES_URL, default postgres@127.0.0.1:5432), migrates
it to head, loads the demo content with the seed command, then calls
service.mail.ticket_mail.related_reading() for 50 patient questions (below), --rounds times.
Reports wall time per call (p50, p99, mean) and the PostgreSQL backend's CPU per call, read from
/proc, which a busy shared machine inflates far less than wall time. As a rough check that the
pages stay useful: the share of links, for the 42 clinical questions, whose section is on the
question's topic. `--json FILE` keeps the titles found per question, to compare what patients are
shown before and after a change. The database is dropped at the end.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# The checkout this script sits in, ahead of the venv's editable install: a copy of an older
# commit (git archive) with this script dropped into its bench/ measures that commit's code.
sys.path.insert(0, str(REPO))
ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
TICK = os.sysconf("SC_CLK_TCK")
# 50 patient questions of 150+ characters with the topic triage gives them, picked evenly per
# topic from service/triage/data/base_examples.jsonl as of e3bcb76, and frozen here so runs compare.
QUESTIONS: list[tuple[str, str]] = [
    ("I'm 72 and I can only stand for about ten minutes at the kitchen sink before my legs ache and feel heavy. Leaning on the counter helps. My GP thinks it's narrowing of the spine.",
     "spine"),
    ("I have sharp pain at the bottom of my back on one side, just above my buttock, worse when I climb stairs or turn over in bed. Someone mentioned the SI joint.",
     "spine"),
    ("My spinal MRI showed degenerative spondylolisthesis and severe stenosis at L4-5. I can only walk for five minutes. What is the recovery from surgery like?",
     "spine"),
    ("Writing for my wife: she had a lumbar fusion last month and is still on strong painkillers. She's struggling to sleep because of the back pain. When should she be weaning off the tablets?",
     "spine"),
    ("My hands have gone clumsy, I can't do my shirt buttons or pick coins out of my purse, and I walk like I'm on a boat. The GP has referred me to a neurologist but I read it could be my neck.",
     "spine"),
    ("Nerve pain from my bum cheek right down to the sole of my foot, burning and pins and needles. I can't sit through a film or a car journey. It's been six weeks.",
     "spine"),
    ("I have breast cancer that spread to the bones, and my back pain has changed - now there's a band of numbness around my ribs. My oncologist said to contact the spinal team.",
     "spine"),
    ("I can't turn my head to reverse the car any more and I get headaches at the base of my skull from my neck. The X-ray shows arthritis. Is surgery ever done for this?",
     "spine"),
    ("My back aches at the bottom on one side where it joins the pelvis, and it's worse turning in bed and getting out of the car. The physio says sacroiliac joint. Do you treat that?",
     "spine"),
    ("I get terrible back pain and stiffness in the mornings that eases with exercise, and I'm only 28. The doctor mentioned inflammation of the spine. Is this something surgery helps?",
     "spine"),
    ("GP here. I have a 60-year-old with progressive hand clumsiness and a broad-based gait, MRI shows cervical canal stenosis with cord compression. How urgently can your spinal surgeons see her?",
     "spine"),
    ("I had a fever and severe back pain for two weeks, now I can hardly move. The blood tests show infection and the scan says discitis. Will I need an operation?",
     "spine"),
    ("My mum keeps losing her balance and dropping things, and her handwriting has become a scrawl. The neurologist ruled out Parkinson's and mentioned her neck. Could it be pressure on the spinal cord?",
     "spine"),
    ("I'm a dentist and I bend my neck over patients all day. Now I have neck pain and my right index finger is numb. Looking up at the ceiling triggers the pain down my arm.",
     "spine"),
    ("Hi, I'm writing about my 15 year old son. He has been getting headaches for about three months, mostly in the morning, and lately he's been throwing up before school. His teacher noticed he's bumping into things on one side. We're waiting for an MRI appointment. Should we be pushing for it sooner and does this sound like something in the brain?",
     "brain"),
    ("I've noticed I can't read properly any more, the words on the page jumble, and I keep missing things on my left side. I've had a bad headache for three weeks.",
     "brain"),
    ("My brother's personality has changed over a few months, he's become rude and says odd things, and now he's unsteady. He was never like this. Who do we talk to?",
     "brain"),
    ("I keep getting a weird feeling of having lived this moment before, then I feel spaced out. It's happening several times a week. My GP wants an MRI of my head.",
     "brain"),
    ("I hear a whooshing sound in time with my heartbeat in my ears, my vision blacks out briefly when I stand up, and I've had headaches for months. The optician said my optic nerves look swollen.",
     "brain"),
    ("My father's walking has become slow and shuffly like his feet are stuck to the floor, he's more forgetful and he can't always get to the toilet in time. The scan showed enlarged spaces in the brain.",
     "brain"),
    ("I've put on weight round my middle, my face has gone round, I bruise easily and my blood pressure is high. The endocrinologist thinks it's a pituitary tumour causing Cushing's.",
     "brain"),
    ("My son had a concussion playing rugby a month ago and still has headaches, he can't bear bright lights and his school work has dropped off. When can he play again?",
     "brain"),
    ("I have headaches that feel like pressure behind my eyes and my vision goes grey for seconds when I bend down. I'm overweight and the neurologist said pressure in the head. Could I need a shunt?",
     "brain"),
    ("My GP told me my head scan shows 'a lesion' and that I'd get a letter from you. I haven't heard anything and I'm terrified. What does a lesion on the brain usually mean?",
     "brain"),
    ("My speech has got slurred over the last couple of months and I'm falling to the right when I walk. I'm 55. The GP has done blood tests which were normal.",
     "brain"),
    ("My daughter is 9 and her teacher says she's started staring into space for a few seconds many times a day and doesn't respond. Is this a type of seizure?",
     "brain"),
    ("My headaches changed a month ago: they're there when I wake, worse when I cough, and now I get flashes of blurred vision. I'm 38 and never had headaches before.",
     "brain"),
    ("My grandmother is more muddled and sleepy since a fall about three weeks ago. She banged her head on the door frame. The care home say she's eating less.",
     "brain"),
    ("Hi, I'm a 26 year old dental hygienist. For about a year I've had an aching in my right shoulder and the side of my neck, and my hand goes numb and clumsy when I've been leaning over patients with my arms raised. At night it wakes me up with pins and needles. The neck MRI was fine and the carpal tunnel test was normal. A physio thinks my scalene muscles are tight. Who should I be seeing?",
     "tos"),
    ("My fingertips on one hand have little sores that won't heal and the hand is always colder than the other one. A nurse said the pulse at my wrist was weak on that side.",
     "tos"),
    ("my fingers go blotchy red and white when i lift boxes on to the high racks at work, then back to normal when i stop. is this a circulation problem from the shoulder?",
     "tos"),
    ("I am cricket bowler. After bowling long spell my arm is heavy and the fingers are numb and cold. The doctor in my club say maybe the nerves are pressed at the neck bottom near the rib.",
     "tos"),
    ("my son does javelin and his throwing arm has been going numb and cold. he is 16. his coach says it's a nerve or artery thing near the collarbone. can you help",
     "tos"),
    ("Holding my phone up for video calls makes my arm go dead within a few minutes. Also brushing my hair. My doctor pressed on my neck above the collar bone and it hurt a lot.",
     "tos"),
    ("I have a bony bump at the base of my neck on one side. My hand gets a throbbing ache and goes cold with exercise, and the doctor heard a whooshing sound with the stethoscope there.",
     "tos"),
    ("My hand goes numb on the school run because I'm carrying two bags over my shoulder. The numbness is in the outer two fingers and it spreads up the arm.",
     "tos"),
    ("Had my rib removed for TOS two weeks ago. The wound under my arm is fine but the whole inner arm feels numb and burning. Is that normal at this stage?",
     "tos"),
    ("My mother (72) has had a swollen arm on and off for a year, worse after gardening with her arms up. Her doctor suspects a squeezed vein at the shoulder. Is she too old for surgery?",
     "tos"),
    ("Putting my hair in a ponytail makes both hands tingle and I have to rest halfway. I'm 25 and a bit embarrassed to ask but is this a nerve problem at the shoulder?",
     "tos"),
    ("My doctor thinks it's carpal tunnel but the numbness is in my ring and little fingers and it's worse with my arm raised, not at night. Could it be thoracic outlet instead?",
     "tos"),
    ("I've lost weight and my shoulders have dropped and since then my arms ache and tingle with lifting. Could the shoulders dropping squeeze the nerves at the collarbone?",
     "tos"),
    ("My husband's arm has been swollen for three days and it's a darker colour than the other one. He lifts weights. He says it's just a pulled muscle. Should he be seen?",
     "tos"),
    ("Hello, my name is Sarah and I'm writing on behalf of my elderly father, who had his back surgery at your hospital in the spring. Since then we have received several letters about unpaid bills, but his insurance statement says it was all covered. We have called twice and been put on hold for a long time. Could someone from billing please call me back on my mobile?",
     "general"),
    ("Your leaflet says to report new bladder trouble or numb legs straight away. Is that line only for people who had their operation with you, or for anybody on the waiting list too?",
     "general"),
    ("My travel insurer wants a letter stating my brain scan was normal and I need no further follow-up. Can the consultant write that and what is the charge?",
     "general"),
    ("I'm the support worker for a man with autism who is coming for a spine appointment. Can we have the first slot of the day and a photo of the room beforehand?",
     "general"),
    ("The questionnaire you sent asks me to shade where I feel pain on a body diagram. My pain is in my lower back but it moves around. Should I shade everywhere or only the worst spot?",
     "general"),
    ("The nurse on the pre-assessment phone call asked if I had any tingling or balance problems. I said no. Do I still need to come in person for the pre-assessment?",
     "general"),
    ("Do you have any leaflets about living with a spinal cord stimulator that I can give to my family? Not a medical question, just want something to read together.",
     "general"),
    ("My son turns 18 next month and is under your paediatric team for his shunt. How will his care move to the adult clinic, and will his records move automatically?",
     "general"),
]


def backend_cpu_seconds(pid: int) -> float:
    raw = Path(f"/proc/{pid}/stat").read_text()
    fields = raw[raw.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def explain(statements: list[tuple[str, object]]) -> None:
    from service.extensions import db

    raw = db.session.connection().connection.dbapi_connection
    for sql, params in statements:
        with raw.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
            print("\n".join(row[0] for row in cursor.fetchall()))
        print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pad-kb", type=int, default=0, help="repeat each article body up to this size")
    parser.add_argument("--copies", type=int, default=1, help="store each article this many times (a bigger site)")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--json", type=Path, help="write the titles found per question here")
    args = parser.parse_args()

    import psycopg
    from flask_migrate import upgrade
    from sqlalchemy import event, text

    from service import create_app
    from service.extensions import db
    from service.mail.ticket_mail import related_reading
    from service.seed import seed

    name = f"neurodesk_bench_rr_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(ADMIN_URL, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + f"/{name}"
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False,
                          "PUBLIC_BASE_URL": "https://clinic.example"})
        with app.app_context():
            upgrade()
            list(seed())
            if args.pad_kb:
                db.session.execute(text(
                    "UPDATE article SET body_md = left(repeat(body_md || E'\\n\\n', :n), :size)"),
                    {"n": args.pad_kb * 1024 // 2000 + 2, "size": args.pad_kb * 1024})
            for copy in range(2, args.copies + 1):
                db.session.execute(text(
                    "INSERT INTO article (slug, title, summary, body_md, body_html, seo_description, section_id, "
                    "status, published_at, created_at, updated_at, version) "
                    "SELECT slug || '-' || :copy, title, summary, body_md, body_html, seo_description, section_id, "
                    "status, published_at, created_at, updated_at, version FROM article WHERE slug NOT LIKE '%-copy-%'"
                ), {"copy": f"copy-{copy}"})
            db.session.commit()
            # Steady state, as autovacuum leaves it: statistics for the planner, and rows inserted
            # after the GIN indexes were built moved out of their pending lists.
            with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE")
            sizes = db.session.execute(text(
                "SELECT count(*), round(avg(length(body_md))) FROM article")).one()

            questions = [question for question, _ in QUESTIONS]
            topic_of = dict(db.session.execute(text(
                "SELECT a.title, s.topic FROM article a JOIN section s ON s.id = a.section_id UNION ALL "
                "SELECT f.question, coalesce(s.topic, f.topic) FROM faq f LEFT JOIN section s ON s.id = f.section_id"
            )).all())
            pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
            for question in questions[:5]:  # warm the connection, plans and caches
                related_reading(question)

            walls, cpu_before = [], backend_cpu_seconds(pid)
            found: dict[str, list[str]] = {}
            for _ in range(args.rounds):
                for question in questions:
                    start = time.perf_counter()
                    links = related_reading(question)
                    walls.append(time.perf_counter() - start)
                    found[question] = [link["title"] for link in links]
            cpu = backend_cpu_seconds(pid) - cpu_before
            assert db.session.execute(text("SELECT pg_backend_pid()")).scalar_one() == pid

            calls = len(walls)
            print(f"content: {sizes[0]} articles, body mean {sizes[1]} chars; "
                  f"{len(questions)} questions x {args.rounds} rounds; load average {os.getloadavg()[0]:.2f}")
            print(f"related_reading wall ms: p50 {percentile(walls, 50) * 1e3:.1f}  "
                  f"p99 {percentile(walls, 99) * 1e3:.1f}  mean {statistics.mean(walls) * 1e3:.1f}")
            print(f"PostgreSQL backend CPU ms per call: {cpu / calls * 1e3:.1f}")
            on_topic = [topic_of.get(title) == topic for question, topic in QUESTIONS if topic != "general"
                        for title in found[question]]
            print(f"questions with no related reading: {sum(1 for titles in found.values() if not titles)}; "
                  f"links on the question's topic: {sum(on_topic)}/{len(on_topic)} = {sum(on_topic) / len(on_topic):.3f}")

            if args.explain:
                seen: list[tuple[str, object]] = []

                def capture(conn, cursor, statement, parameters, context, executemany):
                    if "ts_rank" in statement:
                        seen.append((statement, parameters))

                event.listen(db.engine, "before_cursor_execute", capture)
                related_reading(questions[0])
                event.remove(db.engine, "before_cursor_execute", capture)
                print(f"\nEXPLAIN ANALYZE for: {questions[0]!r}\n")
                explain(seen)
            db.session.rollback()
            if args.json:
                args.json.write_text(json.dumps(found, indent=1))
            print(json.dumps({"calls": calls, "wall_p50_ms": round(percentile(walls, 50) * 1e3, 2),
                              "wall_p99_ms": round(percentile(walls, 99) * 1e3, 2),
                              "pg_cpu_ms_per_call": round(cpu / calls * 1e3, 2),
                              "on_topic": round(sum(on_topic) / len(on_topic), 3),
                              "articles": sizes[0], "pad_kb": args.pad_kb}))
            db.session.remove()
            db.engine.dispose()
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    main()
