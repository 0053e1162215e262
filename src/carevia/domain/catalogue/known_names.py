"""Languages and certifications caregivers often give, named in the reader's language.

They are typed as free text (by caregivers and admins), so only the well-known ones have a
translation; anything else is shown as it was typed.
"""

from __future__ import annotations

from carevia.domain.shared.text import Text


def known_names(typed: list[str]) -> list[str]:
    return [KNOWN_NAMES.get(name, name) for name in typed]


# The languages and certifications caregivers most often give, so they can be translated.
KNOWN_NAMES = {
    "Bangla": Text("Bangla"),
    "English": Text("English"),
    "Hindi": Text("Hindi"),
    "Urdu": Text("Urdu"),
    "Arabic": Text("Arabic"),
    "Sylheti": Text("Sylheti"),
    "Chittagonian": Text("Chittagonian"),
    "Newborn Care Training": Text("Newborn Care Training"),
    "Neonatal Care Training": Text("Neonatal Care Training"),
    "Infant First Aid and CPR": Text("Infant First Aid and CPR"),
    "Paediatric First Aid": Text("Paediatric First Aid"),
    "First Aid Certificate": Text("First Aid Certificate"),
    "Basic Life Support (BLS)": Text("Basic Life Support (BLS)"),
    "Certificate in Caregiving": Text("Certificate in Caregiving"),
    "Certificate in Childcare": Text("Certificate in Childcare"),
    "Certificate in Special Needs Education": Text("Certificate in Special Needs Education"),
    "Certificate in Physiotherapy Assistance": Text("Certificate in Physiotherapy Assistance"),
    "Diploma in Nursing Science and Midwifery": Text("Diploma in Nursing Science and Midwifery"),
    "Dementia Care Training": Text("Dementia Care Training"),
    "Diabetes Care Training": Text("Diabetes Care Training"),
    "Renal Care Training": Text("Renal Care Training"),
    "Palliative Care Training Certificate": Text("Palliative Care Training Certificate"),
    "Safe Moving and Handling Training": Text("Safe Moving and Handling Training"),
    "Tracheostomy and Airway Care Training": Text("Tracheostomy and Airway Care Training"),
    "Applied Behaviour Analysis (ABA) Training": Text("Applied Behaviour Analysis (ABA) Training"),
    "Infection Prevention and Control (IPC) Training": Text(
        "Infection Prevention and Control (IPC) Training"
    ),
    "Safe Sleep for Infants": Text("Safe Sleep for Infants"),
    "Geriatric Care Certificate": Text("Geriatric Care Certificate"),
    "Wound Care Management": Text("Wound Care Management"),
    "Physiotherapy Assistant Certificate": Text("Physiotherapy Assistant Certificate"),
    "Safe Moving and Handling": Text("Safe Moving and Handling"),
    "Spinal Cord Injury Care": Text("Spinal Cord Injury Care"),
    "Paediatric Nursing Assistant Course": Text("Paediatric Nursing Assistant Course"),
    "Diabetes Care at Home": Text("Diabetes Care at Home"),
    "Basic Caregiving Course": Text("Basic Caregiving Course"),
    "Diploma in Nursing (BNMC registered)": Text("Diploma in Nursing (BNMC registered)"),
    "Autism Support Training": Text("Autism Support Training"),
    "Certified Nursing Assistant": Text("Certified Nursing Assistant"),
    "Patient Care Assistant Course": Text("Patient Care Assistant Course"),
}
