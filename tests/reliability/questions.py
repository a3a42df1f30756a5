"""Patient questions for the fault-injection scenarios: each routes to a surgeon with confidence.

Mixed topics and a few red flags (those also alert the coordinators at once). The texts are
checked against the engine at the start of a scenario, so a change in triage that stops one
routing shows up as a clear setup failure, not as a "lost" email.
"""
from __future__ import annotations

SPINE = [
    "My lower back hurts and the sciatica goes down my left leg. Would a discectomy help?",
    "I had an MRI showing a herniated disc at L5-S1 and the leg pain is not getting better after physio.",
    "My neck pain spreads into my right arm with tingling in the fingers. Is a cervical fusion an option?",
    "I have spinal stenosis and can only walk a few hundred metres before my legs ache. What are the options?",
    "After my lumbar decompression last year the back pain is back. Should I have another scan?",
    "I was told I have spondylolisthesis at L4-L5. Do I need surgery or can injections help?",
    "The numbness in my foot from a slipped disc has lasted three months. When is an operation advised?",
    "How long is the recovery after a microdiscectomy for a lumbar disc prolapse?",
]
BRAIN = [
    "My MRI showed a meningioma of 2 cm. Should it be removed or just watched?",
    "I was diagnosed with hydrocephalus and they mentioned a shunt. What does the operation involve?",
    "The scan found a small brain aneurysm that has not bled. Is coiling or clipping better?",
    "My son has a Chiari malformation and headaches when he coughs. Does he need decompression surgery?",
    "I have a pituitary tumour pressing on my vision. Can it be removed through the nose?",
    "After the brain tumour surgery my mother has seizures. Is that expected and what follow-up is needed?",
    "What is the recovery like after a craniotomy for a glioma?",
    "I have trigeminal neuralgia and the medication no longer works. Is microvascular decompression possible?",
]
TOS = [
    "I think I have thoracic outlet syndrome: my arm goes numb when I lift it above my head. How is it treated?",
    "I have a cervical rib and my hand turns pale and cold when I carry bags. Do I need surgery?",
    "Is first rib resection the usual operation for thoracic outlet syndrome?",
    "My arm swells and turns blue after swimming; the vascular doctor mentioned venous thoracic outlet syndrome.",
    "After a whiplash my hand tingles and the pain is above my collarbone. Could this be neurogenic TOS?",
    "Does botox in the scalene muscles help thoracic outlet syndrome before thinking about surgery?",
]
RED_FLAGS = [
    "Since this morning my groin is numb and I cannot pee, and my back pain is terrible.",
    "My back pain suddenly got worse and now I have numbness in the saddle area and lost bladder control.",
]


def mixed(n: int) -> list[str]:
    """n questions cycling over the topics, with a red flag about one in twenty-five."""
    pool = SPINE + BRAIN + TOS
    out = []
    for i in range(n):
        out.append(RED_FLAGS[(i // 25) % len(RED_FLAGS)] if i % 25 == 12 else pool[i % len(pool)])
    return out
