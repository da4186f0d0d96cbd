#!/usr/bin/env python3
"""Writes the demo mirror: a few real region codes with INVENTED results, in KPU's raw byte
format (json.dumps indent=4, LF, no trailing newline). The numbers are plainly made up: every
TPS has round, patterned counts. Run from this folder; the output is committed.

    python3 make-demo.py
"""
import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))


def write(root, path, obj):
    full = os.path.join(HERE, root, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w", encoding="ascii", newline="\n") as f:
        f.write(json.dumps(obj, indent=4))


def split(code):
    return "/".join(code[:n] for n in (2, 4, 6, 10, 13) if n <= len(code))


def regions(root, parent, children, level, next_id):
    path = "wilayah/pemilu/ppwp/" + (split(parent) if parent else "0") + ".json"
    entries = []
    for code, name in children:
        entries.append({"nama": name, "id": next_id, "kode": code, "tingkat": level})
        next_id += 1
    write(root, path, sorted(entries, key=lambda e: e["nama"]))  # KPU lists sort by name
    return next_id


ADM = ["suara_sah", "suara_total", "pemilih_dpt_j", "pemilih_dpt_l", "pemilih_dpt_p",
       "pengguna_dpt_j", "pengguna_dpt_l", "pengguna_dpt_p", "pengguna_dptb_j", "pengguna_dptb_l",
       "pengguna_dptb_p", "suara_tidak_sah", "pengguna_total_j", "pengguna_total_l", "pengguna_total_p",
       "pengguna_non_dpt_j", "pengguna_non_dpt_l", "pengguna_non_dpt_p"]


def form(valid, invalid=2, dpt=200):
    total = valid + invalid
    half = total // 2
    values = {
        "suara_sah": valid, "suara_total": total,
        "pemilih_dpt_j": dpt, "pemilih_dpt_l": dpt // 2, "pemilih_dpt_p": dpt - dpt // 2,
        "pengguna_dpt_j": total, "pengguna_dpt_l": half, "pengguna_dpt_p": total - half,
        "pengguna_dptb_j": 0, "pengguna_dptb_l": 0, "pengguna_dptb_p": 0,
        "suara_tidak_sah": invalid,
        "pengguna_total_j": total, "pengguna_total_l": half, "pengguna_total_p": total - half,
        "pengguna_non_dpt_j": 0, "pengguna_non_dpt_l": 0, "pengguna_non_dpt_p": 0,
    }
    return {k: values[k] for k in ADM}


def tps(root, code, votes, adm, ts, images=True, mode=False):
    obj = {}
    if mode:
        obj["mode"] = "hhcw"
    obj["chart"] = None if votes is None else {"null": None, "100025": votes[0], "100026": votes[1], "100027": votes[2]}
    obj["images"] = [
        f"https://demo.example/c1/pemilu/ppwp/{code[0:2]}/{code[2:4]}/{code[4:6]}/{code[6:8]}/{code[8:10]}/{code}-20240215-1000{p}0--00000000-0000-4000-8000-00000000000{p}.jpg"
        if images and votes is not None else None
        for p in (1, 2, 3)
    ]
    obj["administrasi"] = adm
    obj["psu"] = None
    obj["ts"] = ts
    obj["status_suara"] = votes is not None
    obj["status_adm"] = adm is not None
    write(root, "pemilu/hhcw/ppwp/" + split(code) + ".json", obj)
    return obj


def main():
    for root in ("mirror", "mirror-later"):
        shutil.rmtree(os.path.join(HERE, root), ignore_errors=True)
    m = "mirror"
    i = 900001
    i = regions(m, None, [("31", "DKI JAKARTA"), ("99", "Luar Negeri")], 1, i)
    i = regions(m, "31", [("3101", "ADM. KEP. SERIBU")], 2, i)
    i = regions(m, "3101", [("310101", "KEPULAUAN SERIBU UTARA")], 3, i)
    i = regions(m, "310101", [("3101011001", "PULAU PANGGANG"), ("3101011002", "PULAU KELAPA"),
                              ("3101011003", "PULAU HARAPAN")], 4, i)
    i = regions(m, "99", [("99AA", "San Francisco, Amerika Serikat")], 2, i)
    i = regions(m, "99AA", [("99AA01", "San Francisco, Amerika Serikat")], 3, i)
    i = regions(m, "99AA01", [("99AA010001", "San Francisco, Amerika Serikat")], 4, i)
    villages = {"3101011001": 4, "3101011002": 3, "3101011003": 2}
    for village, count in villages.items():
        i = regions(m, village, [(f"{village}{n:03d}", f"TPS {n:03d}") for n in range(1, count + 1)], 5, i)
    i = regions(m, "99AA010001", [("99AA010001001", "POS 001"), ("99AA010001002", "TPS 001")], 5, i)

    results = {}
    # Round, patterned numbers: plainly invented.
    results["3101011001001"] = tps(m, "3101011001001", [100, 50, 25], form(175), "2024-02-15 10:00:00", mode=True)
    results["3101011001002"] = tps(m, "3101011001002", [110, 60, 30], form(200), "2024-02-15 10:00:00")
    results["3101011001003"] = tps(m, "3101011001003", None, None, "2024-02-15 07:00:00", images=False)
    # Invented inconsistency, for the data-quality rules: the votes add up to 190, the form says 180.
    results["3101011001004"] = tps(m, "3101011001004", [90, 70, 30], form(180), "2024-02-15 11:00:00")
    results["3101011002001"] = tps(m, "3101011002001", [120, 40, 20], form(180), "2024-02-16 09:00:00")
    results["3101011002002"] = tps(m, "3101011002002", [80, 80, 20], None, "2024-02-16 09:00:00")
    results["3101011003001"] = tps(m, "3101011003001", [50, 100, 50], form(200), "2024-02-16 12:00:00")
    results["99AA010001002"] = tps(m, "99AA010001002", [30, 20, 10], form(60, 0, 100), "2024-02-17 08:00:00")

    # KPU's own aggregate for one village, as published (invented): it lags behind TPS 004.
    write(m, "pemilu/hhcw/ppwp/31/3101/310101/3101011001.json", {
        "ts": "2024-02-15 10:30:15", "psu": "Reguler", "mode": "hhcw",
        "chart": {"100025": 210, "100026": 110, "100027": 55, "persen": 50.0},
        "table": {
            "3101011001001": {"psu": "Reguler", "100025": 100, "100026": 50, "100027": 25, "persen": 100, "status_progress": True},
            "3101011001002": {"psu": "Reguler", "100025": 110, "100026": 60, "100027": 30, "persen": 100, "status_progress": True},
            "3101011001003": {"psu": "Reguler", "persen": 0, "status_progress": False},
            "3101011001004": {"psu": "Reguler", "persen": 0, "status_progress": False},
        },
        "progres": {"total": 4, "progres": 2},
    })

    # A later harvest: TPS 001 of PULAU KELAPA was revised (invented), and one more result arrived.
    later = "mirror-later"
    tps(later, "3101011002001", [100, 40, 20], form(160), "2024-02-20 13:00:00")
    tps(later, "3101011002003", [70, 70, 70], form(210), "2024-02-20 13:00:00")
    # The same content as the first harvest, saved again one-line by another tool: provenance only.
    path = os.path.join(HERE, later, "pemilu/hhcw/ppwp/31/3101/310101/3101011001/3101011001001.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="ascii") as f:
        f.write(json.dumps(results["3101011001001"]))


if __name__ == "__main__":
    main()
