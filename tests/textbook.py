"""Textbook presentations, written for these tests from the clinical descriptions in the
rule sources (not copied from the shared vignettes): one per cause, one per red flag."""

from __future__ import annotations

import pytest

# cause id -> a typical case
CAUSES: dict[str, dict[str, object]] = {
    "patellofemoral-pain": {"location": "knee.front", "spread": "area", "onset": "gradual",
                            "worse_with": ["stairs-down", "sitting-long"], "age": 27, "sex": "female"},
    "itb-syndrome": {"location": "knee.outer", "when": ["after-distance"], "pain_type": "sharp",
                     "worse_with": ["downhill"], "surface": ["cambered"]},
    "patellar-tendinopathy": {"location": "knee.below-kneecap", "spread": "pinpoint", "eases_when_warm": True,
                              "worse_with": ["jumping"], "age": 22},
    "meniscus-injury": {"location": "knee.inner", "onset": "sudden", "worse_with": ["twisting"],
                        "signs": ["swelling", "clicking"]},
    "knee-osteoarthritis": {"location": "knee.inside", "age": 64, "signs": ["stiffness", "grinding"],
                            "onset": "gradual", "pain_type": "ache"},
    "pes-anserine-bursitis": {"location": "knee.inner", "sex": "female", "overweight": True, "age": 58,
                              "worse_with": ["stairs-up"]},
    "popliteus-hamstring-strain": {"location": "knee.back", "worse_with": ["downhill"], "hills": "lots"},
    "medial-tibial-stress-syndrome": {"location": "shin.inner", "spread": "diffuse", "side": "both",
                                      "experience": "new", "when": ["start-of-run"], "eases_when_warm": True},
    "tibial-stress-fracture": {"location": "shin.inner", "spread": "pinpoint", "signs": ["bone-tender"],
                               "worse_with": ["hopping"], "load_change": "large"},
    "exertional-compartment-syndrome": {"location": "shin.front", "pain_type": "tight", "side": "both",
                                        "when": ["after-distance"], "age": 21},
    "calf-strain": {"location": "calf", "onset": "sudden", "pain_type": "sharp", "when": ["during-run"],
                    "age": 47, "signs": ["bruising"]},
    "calf-overload": {"location": "calf", "side": "both", "pain_type": "tight", "foot_strike": "forefoot",
                      "when": ["after-run"]},
    "doms": {"location": "thigh.front", "side": "both", "when": ["next-day"], "hills": "lots",
             "duration_days": 2},
    "muscle-cramp": {"location": "calf", "pain_type": "cramp", "onset": "sudden", "when": ["during-run"],
                     "trend": "better"},
    "dvt": {"location": "calf", "signs": ["calf-swollen-one-side"], "recent_immobility": True,
            "pain_type": "ache"},
    "achilles-tendinopathy": {"location": "achilles", "when": ["morning-first-steps"], "eases_when_warm": True,
                              "signs": ["stiffness"], "age": 45},
    "achilles-rupture": {"location": "achilles", "onset": "sudden", "pop": True, "signs": ["weak-push-off"]},
    "plantar-fasciitis": {"location": "heel.bottom", "when": ["morning-first-steps"], "pain_type": "sharp",
                          "overweight": True},
    "metatarsal-stress-fracture": {"location": "foot.top", "spread": "pinpoint", "signs": ["bone-tender"],
                                   "shoes": "recently-changed"},
    "ankle-sprain": {"location": "ankle", "onset": "sudden", "signs": ["swelling", "bruising"],
                     "surface": ["trail"]},
    "hamstring-strain": {"location": "thigh.back", "onset": "sudden", "worse_with": ["speedwork"],
                         "hard_sessions": True},
    "gluteal-tendinopathy": {"location": "hip.outer", "when": ["at-night"], "sex": "female", "age": 55},
    "femoral-neck-stress-fracture": {"location": "hip.groin", "onset": "gradual", "when": ["at-night"],
                                     "load_change": "large", "sex": "female"},
    "hip-flexor-strain": {"location": "hip.groin", "onset": "sudden", "pain_type": "sharp",
                          "hard_sessions": True, "worse_with": ["uphill"]},
    "exertional-rhabdomyolysis": {"location": "thigh.front", "side": "both", "signs": ["dark-urine"],
                                  "severity": 9, "hard_sessions": True},
    "inflamed-joint": {"location": "knee.front", "signs": ["swelling", "warmth", "redness"],
                       "pain_type": "throbbing"},
}

# red flag id -> (a case that raises it, the triage it must bring at least)
RED_FLAGS: dict[str, tuple[dict[str, object], str]] = {
    "cannot-bear-weight": ({"location": "ankle", "signs": ["cannot-bear-weight"]}, "see-doctor"),
    "deformity": ({"location": "ankle", "onset": "sudden", "signs": ["deformity"]}, "emergency"),
    "locked-knee": ({"location": "knee.inside", "signs": ["locking"]}, "see-doctor"),
    "tendon-rupture": ({"location": "calf", "pop": True, "onset": "sudden"}, "see-doctor"),
    "stress-fracture": ({"location": "foot.forefoot", "signs": ["bone-tender"]}, "see-doctor"),
    "dvt": ({"location": "calf", "recent_immobility": True}, "emergency"),
    "compartment": ({"location": "shin.front", "signs": ["numbness"], "when": ["at-rest"], "severity": 8},
                    "emergency"),
    "nerve-symptoms": ({"location": "shin.front", "signs": ["tingling"], "when": ["after-distance"]},
                       "see-doctor"),
    "rhabdomyolysis": ({"location": "calf", "signs": ["dark-urine"]}, "emergency"),
    "inflamed-joint": ({"location": "ankle", "signs": ["fever"]}, "emergency"),
    "persistent-pain": ({"location": "knee.front", "duration_days": 20, "trend": "same"}, "see-doctor"),
}


def cause_params() -> list[object]:
    return [pytest.param(cause, case, id=cause) for cause, case in CAUSES.items()]


def flag_params() -> list[object]:
    return [pytest.param(flag, case, level, id=flag) for flag, (case, level) in RED_FLAGS.items()]
