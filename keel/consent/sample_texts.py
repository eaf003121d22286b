"""Keel's sample consent form and education page: data, written for Keel in its own words.

They are starting points for a clinic, not approved clinical documents. A
clinic installs them as version 1 "awaiting medical director approval"
(``consent_template_install_sample``, ``education_page_install_sample``);
patients see or sign them only after a clinic admin approves them. The
content follows the project's clinical reference (off-label status, the
risks, discharge with an escort and no driving until the next day, the 988
crisis line); no sentence is copied from a drug label, another clinic's
form or any other published text. Reading level: aimed at about US grade 8.

Format: plain text; a blank line starts a new paragraph, "## " starts a
heading and "- " a list item (see ``keel.consent.text``).
"""

from __future__ import annotations

SAMPLE_REVIEW_STATUS = "unreviewed: a clinic's medical director must review and approve"

CONSENT_TITLE = "Consent to ketamine treatment for bipolar depression"

CONSENT_BODY = """\
## About this form

This form explains the ketamine treatment our clinic offers for depression in bipolar disorder. Please read all of it. Ask us about anything that is not clear. Sign only when you feel ready. Saying yes or no is your choice.

## Ketamine is used "off-label" for bipolar depression

Ketamine is not approved by the U.S. Food and Drug Administration (FDA) to treat bipolar depression. When a doctor uses a medicine for a purpose the FDA has not approved, it is called off-label use. Doctors may do this when they believe the medicine may help. The nasal spray form, esketamine, is also not approved for bipolar depression. Research on ketamine for bipolar depression is promising but small, and much is still unknown.

## How the treatment is given

You receive ketamine only here at the clinic, with trained staff watching over you. Before each dose we check your blood pressure, your mood and how you are feeling. During and after the dose we check your blood pressure, breathing and alertness. You stay with us until a clinician decides you are ready to go home. Ketamine is not a cure. It helps some people feel better for a time, and it does not help everyone.

## Possible risks and side effects

- Dissociation: you may feel dreamy, floating or cut off from your body or surroundings. Sights and sounds may seem strange. This usually fades while you are still at the clinic.
- Higher blood pressure: your blood pressure and heart rate can go up for a while after a dose. We check often, and we may delay or stop a dose if your blood pressure is too high.
- Sedation: you may feel very sleepy or less alert for some hours.
- Mood going too high: in bipolar disorder, ketamine may set off hypomania or mania. Signs include needing much less sleep, racing thoughts, unusual energy, or taking risks you normally would not. Tell us right away if you or people close to you notice these signs.
- Misuse: ketamine can be misused, and some people come to depend on it. For this reason it is given only at the clinic and never sent home with you.
- Other effects: nausea, dizziness, headache, blurred vision or trouble thinking clearly for a few hours. Bladder problems have been seen with frequent, long-term use.

No form can list every possible effect. Please ask us about anything that worries you.

## Getting home safely

An adult you trust must take you home after every session. Do not drive a car or use machines for the rest of that day. Wait until the next day, after a night of restful sleep. If no adult can take you home, we will move your session to another day.

## Your mood care continues

Ketamine is added to the care you already have. It does not replace it. Keep taking your mood-stabilizing medicine as prescribed. Keep seeing your own psychiatrist, who stays in charge of your bipolar care. We share your treatment plan with your psychiatrist and keep them up to date. Do not stop or change any medicine without talking to the doctor who prescribed it. We will ask you to rate your mood often, so that changes are noticed early.

## What we ask of you

- Tell us about every medicine, supplement, alcohol or drug you use. Some of them, such as sedatives, opioids and stimulants, can mix badly with ketamine.
- Tell us if you are pregnant, might be pregnant or are breastfeeding.
- Do not drink alcohol or use drugs on a treatment day.

## Your choice, at any time

You can ask questions at any time. You can say no to this treatment. You can also withdraw your consent at any time, even in the middle of a course, by telling any member of our staff. Withdrawing will not change the rest of your care with us. Once you withdraw, we will not schedule more ketamine sessions unless you sign a new consent.

## If you are in crisis

If you have thoughts of hurting yourself, call or text 988 (the Suicide and Crisis Lifeline) at any hour. If you are in danger right now, call 911.

## Your signature

By signing, you confirm that you have read this form, that your questions were answered, and that you agree to receive ketamine treatment at this clinic."""

EDUCATION_TITLE = "About ketamine treatment for bipolar depression"

EDUCATION_BODY = """\
## How ketamine works

Most antidepressants act on brain chemicals such as serotonin, and they often take several weeks to help. Ketamine works in a different way. It acts on another brain signal, called glutamate. Some people notice a change within hours or days. The effect often fades after a while, so ketamine is usually given as a series of sessions.

## Off-label, and not a cure

Ketamine is not approved by the FDA to treat bipolar depression. Doctors can still prescribe it when they believe it may help. This is called off-label use. The research in bipolar depression is encouraging but still small. Ketamine does not cure bipolar disorder, and it does not help everyone.

## Why we keep track of your mood

In bipolar disorder, treatments for depression can sometimes push mood too high, into hypomania or mania. That is why we ask you to fill in short mood and sleep check-ins between sessions. Please tell us soon if you sleep much less but do not feel tired, if your thoughts race, or if the people close to you say you seem different.

## Why your psychiatrist stays involved

Your own psychiatrist is in charge of your bipolar care. Ketamine is added to that care. It does not replace it. Keep taking your mood-stabilizing medicine. We share your plan and your progress with your psychiatrist, and we work with them to decide whether treatment should continue.

## What a session is like

- Before: we check your blood pressure and ask how you have been. We will tell you if you need to stop eating or drinking for a while beforehand.
- During: you rest in a quiet room while you receive the dose. You may feel floaty or dreamy, or sounds and colors may seem different. Staff stay close by and check on you often.
- After: you stay with us until the effects wear off and a clinician says you are ready to leave. Plan for the whole visit to take a few hours.
- Going home: an adult must take you home. Do not drive until the next day, after a night of restful sleep."""
