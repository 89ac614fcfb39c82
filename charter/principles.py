"""The text of the Quality Charter, written for Waymark from the principles independent brokers in Kent sign up to."""

CHARTER_TITLE = "Waymark Quality Charter for independent support brokers"
CHARTER_INTRODUCTION = (
    "A support broker helps a person with a personal budget to work out what a good life looks like for them, "
    "to find what is available, and to write a support plan. People need to trust that their broker works for them "
    "and nobody else. Every broker listed on Waymark has promised to keep these principles, and an administrator "
    "has checked their signature."
)

PRINCIPLES = [
    {
        "key": "independence",
        "title": "Independent and accountable to the person",
        "text": (
            "I work for the person I support, not for the council, the NHS or any provider. I am accountable to them "
            "for what I do, I keep brokerage separate from decisions about funding, and I never steer someone "
            "towards a service for anyone else's benefit."
        ),
    },
    {
        "key": "no_undisclosed_interest",
        "title": "No undisclosed financial interest",
        "text": (
            "I declare, before we start and whenever it changes, any money, job, family tie or other link I have "
            "with an organisation I might suggest. I never take a commission, fee or gift for recommending a provider."
        ),
    },
    {
        "key": "confidentiality",
        "title": "Confidentiality and consent",
        "text": (
            "I keep what people tell me private. I share information only with their clear consent and only what is "
            "needed, unless the law or someone's safety requires otherwise, and I tell them when that happens."
        ),
    },
    {
        "key": "person_centred",
        "title": "Person-centred planning",
        "text": (
            "The plan belongs to the person. I listen to what matters to them, offer real choices in plain language, "
            "respect their decisions, and make sure the plan describes the outcomes they want, in their words."
        ),
    },
    {
        "key": "transparent_fees",
        "title": "Clear and fair fees",
        "text": (
            "I say what I charge, in writing, before any work begins, including how my fee is paid and what happens "
            "if we stop working together. I never charge for work the person did not agree to."
        ),
    },
    {
        "key": "safeguarding",
        "title": "Safeguarding",
        "text": (
            "I know how to recognise abuse and neglect, and I act on it promptly, following Kent and Medway "
            "safeguarding procedures. I keep my safeguarding training up to date."
        ),
    },
    {
        "key": "complaints",
        "title": "Listening to complaints",
        "text": (
            "I tell people how to complain about my work, including to Waymark, respond to every complaint fairly and "
            "quickly, and learn from it. I never treat anyone worse because they complained."
        ),
    },
    {
        "key": "continuing_development",
        "title": "Continuing development",
        "text": (
            "I keep my knowledge of personal budgets, the Care Act, mental health services and local support "
            "up to date, seek supervision or peer support, and reflect on my practice every year."
        ),
    },
]
