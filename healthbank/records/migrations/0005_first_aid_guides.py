"""The first-aid guides the app starts with (急症處理); staff edit them at /staff/ after.

Plain, cautious wording that always starts with calling 119, after the Ministry of Health
and Welfare's and the National Fire Agency's public first-aid leaflets. Reversible: going
back removes only these entries, as staff may have added others.
"""

from django.db import migrations

GUIDES = [
    (
        "cpr",
        "心跳停止（CPR）",
        "Cardiac arrest (CPR)",
        "先打 119，開擴音，依救護人員指示做。\n"
        "叫喚並輕拍肩膀，沒有反應、沒有正常呼吸：請旁人拿 AED。\n"
        "兩手交疊放在胸口正中央，用力、快速壓胸：每分鐘 100 至 120 下，深度約 5 公分。\n"
        "AED 到了就打開電源，依語音指示操作。\n"
        "持續壓胸，直到救護人員接手或病人恢復呼吸。",
        "Call 119 first and put the phone on speaker; do what the dispatcher tells you.\n"
        "Shout and tap the shoulders. If there is no answer and no normal breathing, have "
        "someone fetch an AED.\n"
        "Put both hands, one on the other, on the centre of the chest and push hard and fast: "
        "100 to 120 times a minute, about 5 cm deep.\n"
        "When the AED arrives, switch it on and follow its voice.\n"
        "Keep pushing until the ambulance crew takes over or the person breathes again.",
    ),
    (
        "stroke",
        "中風",
        "Stroke",
        "先打 119，說出「疑似中風」。\n"
        "記住「微笑、舉手、說你好」：臉歪、單手無力、說話不清，都可能是中風。\n"
        "記下症狀開始的時間，告訴救護人員：越早治療越好。\n"
        "不要給病人吃東西、喝水或吃藥。\n"
        "讓病人躺下或側躺，留在病人身邊。",
        "Call 119 first and say \"suspected stroke\".\n"
        "Ask the person to smile, raise both arms and speak: a drooping face, a weak arm or "
        "slurred speech may be a stroke.\n"
        "Note the time the signs began and tell the ambulance crew: the sooner treated, the "
        "better.\n"
        "Give nothing to eat or drink and no medicine.\n"
        "Let the person lie down or on their side, and stay with them.",
    ),
    (
        "burns",
        "燒燙傷",
        "Burns and scalds",
        "大面積、臉部或呼吸困難時，先打 119。\n"
        "沖：用流動的冷水沖 15 至 30 分鐘。\n"
        "脫：在水中小心脫去衣物，黏住皮膚的不要硬拉。\n"
        "泡：冷水中泡 15 至 30 分鐘（小孩、老人注意保暖）。\n"
        "蓋：用乾淨的布蓋住。送：送醫。\n"
        "不要塗牙膏、醬油或藥膏，不要弄破水泡。",
        "For a large burn, a burn to the face or any trouble breathing, call 119 first.\n"
        "Cool: run cool water over the burn for 15 to 30 minutes.\n"
        "Remove: take off clothing gently under the water; leave what sticks to the skin.\n"
        "Soak: keep it in cool water for 15 to 30 minutes (keep children and older people "
        "warm).\n"
        "Cover it with a clean cloth, then go to hospital.\n"
        "Do not put toothpaste, soy sauce or ointment on it, and do not break blisters.",
    ),
    (
        "choking",
        "噎到（哈姆立克法）",
        "Choking (Heimlich manoeuvre)",
        "不能說話、不能咳嗽、不能呼吸：先打 119 或請旁人打。\n"
        "站在病人背後，一手握拳放在肚臍上方，另一手包住拳頭。\n"
        "快速往內、往上擠壓，直到東西吐出來。\n"
        "病人失去意識時：讓他躺下，開始 CPR。\n"
        "一歲以下嬰兒不可用此法：請依 119 指示拍背、壓胸。",
        "If the person cannot speak, cough or breathe, call 119 first or have someone call.\n"
        "Stand behind them; put a fist just above the navel and hold it with your other "
        "hand.\n"
        "Press in and up, quickly and firmly, until the object comes out.\n"
        "If the person becomes unconscious, lay them down and start CPR.\n"
        "Not for babies under one: follow the dispatcher's instructions for back blows and "
        "chest thrusts.",
    ),
    (
        "fracture",
        "骨折",
        "Broken bones",
        "骨頭外露、大量出血、頭頸背部受傷或無法移動時，先打 119。\n"
        "頭、頸、背部受傷時不要移動病人。\n"
        "不要自行把骨頭推回去或拉直。\n"
        "用木板、厚紙板或捲起的報紙固定受傷部位的上下關節。\n"
        "有傷口時用乾淨的布蓋住，冰敷可減輕腫痛（隔著布）。",
        "If bone shows, there is heavy bleeding, the head, neck or back is hurt, or the "
        "person cannot move, call 119 first.\n"
        "Do not move someone whose head, neck or back is hurt.\n"
        "Do not try to push a bone back or straighten it.\n"
        "Keep the limb still with a board, stiff card or rolled newspaper across the joints "
        "above and below.\n"
        "Cover a wound with a clean cloth; ice wrapped in cloth eases pain and swelling.",
    ),
]


def add(apps, schema_editor):
    guide = apps.get_model("records", "FirstAidGuide")
    for position, (slug, title_zh, title_en, body_zh, body_en) in enumerate(GUIDES, 1):
        guide.objects.update_or_create(
            slug=slug,
            defaults={
                "title_zh": title_zh,
                "title_en": title_en,
                "body_zh": body_zh,
                "body_en": body_en,
                "position": position,
            },
        )


def remove(apps, schema_editor):
    apps.get_model("records", "FirstAidGuide").objects.filter(
        slug__in=[slug for slug, *_ in GUIDES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("records", "0004_provider_search_and_emergency_care")]
    operations = [migrations.RunPython(add, remove)]
