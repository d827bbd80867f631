"""Demo content for Rakor: the 23 January 2024 poverty-reduction meeting of Kota Pekalongan.

Pure data (no imports): the meeting, the city agencies (OPD) and realistic participant inputs
(masukan) used to seed a demo database. Unit, location and program names match the reference CSVs.
"""

MEETING = {
    "title": "Rapat Koordinasi Penanggulangan Kemiskinan Kota Pekalongan Tahun 2024",
    "venue": "Ruang Jlamprang Setda Kota Pekalongan",
    "date": "2024-01-23",
    "start_time": "09:00",
    "chair_name": "Achmad Afzan Arslan Djunaid",
    "chair_position": "Wali Kota Pekalongan",
    "chair_nip": "",
    "notetaker_name": "Dian Permatasari, S.E., M.Si.",
    "notetaker_position": "Analis Kebijakan Ahli Muda Bappeda Kota Pekalongan",
    "notetaker_nip": "19850312 201001 2 015",
    "opening": (
        "Wali Kota Pekalongan menyampaikan bahwa rakor ini dilaksanakan untuk mengevaluasi dan "
        "menghimpun masukan atas upaya penanggulangan kemiskinan tahun-tahun sebelumnya, mulai "
        "dari pelatihan kerja, bantuan permodalan sektor perikanan, peternakan dan pertanian, "
        "hingga jaminan kematian dan jaminan sosial bersama BPJS Ketenagakerjaan. Angka kemiskinan "
        "2023 sebesar 6,81 persen masih di atas target 6,50 persen dan penurunannya dari 2022 "
        "masih sedikit, sehingga perlu ditelusuri hal-hal nonteknis seperti pola kebiasaan "
        "masyarakat dan manajemen keuangan keluarga. Lurah, camat, OPD, dan pemangku kepentingan "
        "lainnya diminta menyampaikan masukan dan usulan agar target 6,29 persen pada 2024 "
        "dapat tercapai."
    ),
    "agenda": [
        "Pembukaan dan arahan Wali Kota Pekalongan",
        "Evaluasi capaian penanggulangan kemiskinan 2021-2023",
        "Penyampaian masukan dan usulan peserta",
        "Arahan Wakil Wali Kota Pekalongan dan kesepakatan tindak lanjut",
    ],
}

# (abbreviation, full name) of the city agencies (OPD) taking part.
AGENCIES = [
    ("Bappeda", "Badan Perencanaan Pembangunan Daerah"),
    ("Dinsos P2KB", "Dinas Sosial, Pengendalian Penduduk dan Keluarga Berencana"),
    ("Dinkes", "Dinas Kesehatan"),
    ("Dindik", "Dinas Pendidikan"),
    ("Dindagkop-UKM", "Dinas Perdagangan, Koperasi dan Usaha Kecil Menengah"),
    ("Dinperinaker", "Dinas Perindustrian dan Tenaga Kerja"),
    ("DKP", "Dinas Kelautan dan Perikanan"),
    ("DPP", "Dinas Pertanian dan Pangan"),
    ("DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu"),
    ("Disperkim", "Dinas Perumahan Rakyat dan Kawasan Permukiman"),
    ("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang"),
    ("Dindukcapil", "Dinas Kependudukan dan Pencatatan Sipil"),
    ("Dinkominfo", "Dinas Komunikasi dan Informatika"),
    ("BPBD", "Badan Penanggulangan Bencana Daerah"),
    ("DLH", "Dinas Lingkungan Hidup"),
    ("Dinparbudpora", "Dinas Pariwisata, Kebudayaan, Pemuda dan Olahraga"),
    ("DPMP3A", "Dinas Pemberdayaan Masyarakat, Perempuan dan Perlindungan Anak"),
    ("Bagian Kesra", "Bagian Kesejahteraan Rakyat Sekretariat Daerah"),
    ("Inspektorat", "Inspektorat Daerah"),
    ("BPKAD", "Badan Pengelolaan Keuangan dan Aset Daerah"),
]

# Participant inputs. minutes_after_start counts from MEETING["start_time"]; "program" is the
# exact text from programs.csv; near-duplicate pairs are intentional (for duplicate detection).

INPUTS = [
    {
        "submitter_name": "Agus Priyanto, S.Sos.",
        "role": "lurah",
        "unit": "Krapyak",
        "position": "Lurah Krapyak",
        "phone": "0812-2715-4408",
        "kind": "usulan",
        "pillar": "P1",
        "title": "Pemutakhiran DTKS setiap triwulan melalui musyawarah kelurahan",
        "description": (
            "Hasil pencocokan kami pada Desember 2023 menunjukkan dari 1.146 KK yang tercatat "
            "di DTKS Kelurahan Krapyak, sekitar 180 KK sudah pindah, meninggal, atau "
            "kondisinya sudah mampu, sementara 95 KK miskin baru di RW 05 dan RW 08 belum "
            "terdata. Kami mengusulkan pemutakhiran DTKS dilakukan setiap triwulan melalui "
            "musyawarah kelurahan dengan melibatkan ketua RT/RW dan pendamping PKH agar "
            "bantuan sosial tepat sasaran."
        ),
        "location": "Krapyak",
        "target_group": "umum",
        "program": "",
        "beneficiaries": 95,
        "cost": None,
        "minutes_after_start": 14,
        "status": "accepted",
        "decision_reason": (
            "Ditindaklanjuti Dinsos P2KB melalui verifikasi dan validasi DTKS triwulanan."
        ),
    },
    {
        "submitter_name": "Rina Kurniasari, S.IP.",
        "role": "lurah",
        "unit": "Medono",
        "position": "Lurah Medono",
        "phone": "",
        "kind": "usulan",
        "pillar": "P1",
        "title": "Verifikasi dan validasi ulang DTKS secara berkala di tingkat kelurahan",
        "description": (
            "Banyak warga Medono yang nyata-nyata miskin, terutama buruh batik harian di RW 03 "
            "dan RW 06, belum terdaftar di DTKS sehingga tidak bisa menerima PBI JKN maupun "
            "paket sembako, sedangkan sebagian penerima justru sudah mampu. Kami mohon Dinsos "
            "P2KB memfasilitasi verifikasi dan validasi ulang DTKS di tingkat kelurahan "
            "minimal tiga bulan sekali dengan melibatkan ketua RT/RW, sekitar 72 KK perlu "
            "diusulkan masuk."
        ),
        "location": "Medono",
        "target_group": "umum",
        "program": "",
        "beneficiaries": 72,
        "cost": None,
        "minutes_after_start": 43,
        "status": "received",
        "decision_reason": "",
    },
    {
        "submitter_name": "Slamet Riyadi, S.E.",
        "role": "lurah",
        "unit": "Degayu",
        "position": "Lurah Degayu",
        "phone": "0857-4203-1196",
        "kind": "evaluasi",
        "pillar": "P2",
        "title": "Bibit entok banyak mati dan dijual sebelum berkembang biak",
        "description": (
            "Dari 40 KPM penerima bantuan bibit entok tahun 2023 di Degayu, masing-masing 10 "
            "ekor, hanya sekitar 15 KPM yang ternaknya masih berkembang; sisanya mati karena "
            "kandang tergenang rob atau dijual untuk kebutuhan sehari-hari. Kami mengusulkan "
            "bantuan lanjutan disertai pakan awal, kandang panggung, dan pendampingan penyuluh "
            "peternakan minimal tiga bulan."
        ),
        "location": "Degayu",
        "target_group": "umum",
        "program": "Bantuan bibit entok",
        "beneficiaries": 40,
        "cost": None,
        "minutes_after_start": 37,
        "status": "follow_up",
        "decision_reason": (
            "Dikaji bersama DPP untuk paket pakan dan kandang panggung di wilayah rob."
        ),
    },
    {
        "submitter_name": "Sri Wahyuningsih, S.Sos.",
        "role": "lurah",
        "unit": "Kuripan Yosorejo",
        "position": "Lurah Kuripan Yosorejo",
        "phone": "",
        "kind": "evaluasi",
        "pillar": "P2",
        "title": "Tindak lanjut bantuan bibit entok perlu disertai pakan dan pendampingan",
        "description": (
            "Penerima bantuan bibit entok di Kuripan Yosorejo sebanyak 25 KK, namun setelah "
            "enam bulan lebih dari separuh entok sudah dijual atau dipotong karena warga "
            "kesulitan membeli pakan. Kami mohon program bibit entok tahun 2024 dilengkapi "
            "bantuan pakan dan pendampingan rutin oleh petugas peternakan supaya benar-benar "
            "menjadi sumber pendapatan keluarga."
        ),
        "location": "Kuripan Yosorejo",
        "target_group": "umum",
        "program": "Bantuan bibit entok",
        "beneficiaries": 25,
        "cost": None,
        "minutes_after_start": 88,
        "status": "accepted",
        "decision_reason": "",
    },
    {
        "submitter_name": "Muhammad Taufiq, S.STP.",
        "role": "lurah",
        "unit": "Bandengan",
        "position": "Lurah Bandengan",
        "phone": "0813-2577-6021",
        "kind": "evaluasi",
        "pillar": "P2",
        "title": "Benih udang vaname gagal panen akibat tanggul tambak jebol terkena rob",
        "description": (
            "Bantuan 100.000 ekor benih udang vaname untuk dua kelompok pembudidaya di "
            "Bandengan pada 2023 hanya menghasilkan panen sekitar 30 persen karena tanggul "
            "tambak jebol terkena rob dan salinitas air tidak stabil. Kami mengusulkan bantuan "
            "benih berikutnya didahului perbaikan tanggul tambak dan pendampingan teknis "
            "budidaya dari DKP."
        ),
        "location": "Bandengan",
        "target_group": "nelayan",
        "program": "Bantuan benih udang vaname",
        "beneficiaries": 24,
        "cost": None,
        "minutes_after_start": 49,
        "status": "follow_up",
        "decision_reason": (
            "Dikoordinasikan dengan DKP dan DPUPR untuk perbaikan tanggul tambak sebelum tebar "
            "benih."
        ),
    },
    {
        "submitter_name": "Heru Setiawan, S.H.",
        "role": "lurah",
        "unit": "Panjang Wetan",
        "position": "Lurah Panjang Wetan",
        "phone": "",
        "kind": "kendala",
        "pillar": "P4",
        "title": "Rob harian menghambat usaha warga di RW 01 sampai RW 04",
        "description": (
            "Genangan rob di RW 01 sampai RW 04 Panjang Wetan hampir setiap hari setinggi "
            "20-40 cm sehingga warung dan usaha pengasapan ikan sering tutup, sementara biaya "
            "perbaikan rumah terus membebani keluarga miskin. Sekitar 420 KK terdampak "
            "langsung, dan sebagian di antaranya berutang ke rentenir untuk meninggikan lantai "
            "rumah."
        ),
        "location": "Panjang Wetan",
        "target_group": "umum",
        "program": "",
        "beneficiaries": 420,
        "cost": None,
        "minutes_after_start": 55,
        "status": "accepted",
        "decision_reason": "Masuk prioritas penanganan kawasan kantong kemiskinan pesisir.",
    },
    {
        "submitter_name": "Nur Aini, S.AP.",
        "role": "lurah",
        "unit": "Kandang Panjang",
        "position": "Lurah Kandang Panjang",
        "phone": "0821-3390-7745",
        "kind": "usulan",
        "pillar": "P1",
        "title": "Rehabilitasi RTLH sekaligus peninggian lantai rumah keluarga miskin",
        "description": (
            "Kami mengusulkan bantuan rehabilitasi rumah tidak layak huni sekaligus peninggian "
            "lantai untuk 35 rumah keluarga miskin di RT 02, RT 03, dan RT 07 RW 05 yang "
            "lantainya sudah lebih rendah dari jalan akibat rob. Perkiraan kebutuhan Rp20 juta "
            "per unit."
        ),
        "location": "Kandang Panjang",
        "target_group": "umum",
        "program": "",
        "beneficiaries": 35,
        "cost": 700000000,
        "minutes_after_start": 63,
        "status": "accepted",
        "decision_reason": (
            "Diusulkan masuk program RTLH Disperkim 2024 dan dipadukan dengan Forum CSR."
        ),
    },
    {
        "submitter_name": "H. Ahmad Fauzi, S.Ag.",
        "role": "lurah",
        "unit": "Kauman",
        "position": "Lurah Kauman",
        "phone": "",
        "kind": "usulan",
        "pillar": "P3",
        "title": "Pelatihan pemasaran digital bagi perajin batik rumahan",
        "description": (
            "Di Kauman terdapat sekitar 60 perajin batik rumahan skala kecil yang masih "
            "menjual kain ke juragan dengan harga rendah. Kami mengusulkan pelatihan foto "
            "produk dan pemasaran melalui marketplace serta fasilitasi stan bergilir di "
            "Kampung Batik Kauman agar perajin dapat menjual langsung ke konsumen."
        ),
        "location": "Kauman",
        "target_group": "umkm",
        "program": "",
        "beneficiaries": 60,
        "cost": 45000000,
        "minutes_after_start": 71,
        "status": "accepted",
        "decision_reason": "",
    },
    {
        "submitter_name": "Dwi Handayani, S.E.",
        "role": "lurah",
        "unit": "Klego",
        "position": "Lurah Klego",
        "phone": "0878-3312-5590",
        "kind": "kendala",
        "pillar": "P1",
        "title": "Data kependudukan KK miskin belum padan sehingga tertolak bansos",
        "description": (
            "Masih ada sekitar 38 KK miskin di Klego yang NIK-nya belum padan atau kartu "
            "keluarganya belum diperbarui, sehingga tertolak saat diusulkan sebagai peserta "
            "PBI JKN dan penerima bantuan sosial. Banyak di antaranya lansia yang tidak mampu "
            "datang sendiri ke kantor Dindukcapil, sehingga perlu layanan jemput bola di "
            "kelurahan."
        ),
        "location": "Klego",
        "target_group": "lansia",
        "program": "",
        "beneficiaries": 38,
        "cost": None,
        "minutes_after_start": 28,
        "status": "follow_up",
        "decision_reason": (
            "Dindukcapil menjadwalkan layanan jemput bola di Kelurahan Klego pada Februari 2024."
        ),
    },
    {
        "submitter_name": "Bambang Sutrisno, S.Sos.",
        "role": "lurah",
        "unit": "Poncol",
        "position": "Lurah Poncol",
        "phone": "",
        "kind": "usulan",
        "pillar": "P2",
        "title": "Pelatihan menjahit dan bordir bagi perempuan kepala keluarga",
        "description": (
            "Kami mengusulkan pelatihan menjahit dan bordir komputer bagi 20 perempuan kepala "
            "keluarga di RW 02 dan RW 04 Poncol, dilanjutkan dengan penyaluran hasil kerja ke "
            "usaha konveksi di sekitar Pasar Grosir Setono. Sebagian besar calon peserta saat "
            "ini bekerja serabutan dengan penghasilan di bawah Rp1 juta per bulan."
        ),
        "location": "Poncol",
        "target_group": "perempuan_kepala_keluarga",
        "program": "Pelatihan kerja",
        "beneficiaries": 20,
        "cost": 60000000,
        "minutes_after_start": 96,
        "status": "accepted",
        "decision_reason": "",
    },
    {
        "submitter_name": "Eko Prasetyo, S.IP., M.Si.",
        "role": "lurah",
        "unit": "Tirto",
        "position": "Lurah Tirto",
        "phone": "0852-2600-1873",
        "kind": "kendala",
        "pillar": "P4",
        "title": "Pola konsumtif dan lemahnya manajemen keuangan keluarga buruh",
        "description": (
            "Banyak keluarga buruh pabrik dan buruh batik di Tirto yang pendapatannya habis "
            "untuk cicilan barang elektronik, arisan, dan biaya hajatan, sehingga tidak "
            "memiliki tabungan ketika ada anggota keluarga yang sakit atau kehilangan "
            "pekerjaan. Kami mengusulkan penyuluhan pengelolaan keuangan keluarga melalui "
            "pertemuan PKK dan pengajian RT."
        ),
        "location": "Tirto",
        "target_group": "umum",
        "program": "",
        "beneficiaries": None,
        "cost": None,
        "minutes_after_start": 104,
        "status": "received",
        "decision_reason": "",
    },
    {
        "submitter_name": "Siti Mutmainah, S.Pd.",
        "role": "lurah",
        "unit": "Pasirkratonkramat",
        "position": "Lurah Pasirkratonkramat",
        "phone": "",
        "kind": "evaluasi",
        "pillar": "P1",
        "title": "Penyaluran bantuan perlengkapan belajar agar sebelum tahun ajaran baru",
        "description": (
            "Bantuan perlengkapan belajar tahun 2023 baru diterima siswa pada bulan Oktober, "
            "padahal kebutuhan seragam, sepatu, dan tas paling tinggi pada bulan Juli. Mohon "
            "penyaluran tahun 2024 dimajukan sebelum tahun ajaran baru; di kelurahan kami "
            "terdapat 87 siswa SD dan SMP dari keluarga miskin."
        ),
        "location": "Pasirkratonkramat",
        "target_group": "pelajar",
        "program": "Bantuan perlengkapan belajar untuk siswa miskin dan sanggar kegiatan belajar",
        "beneficiaries": 87,
        "cost": None,
        "minutes_after_start": 77,
        "status": "accepted",
        "decision_reason": "Dindik menjadwalkan penyaluran pada Juni-Juli 2024.",
    },
    {
        "submitter_name": "Yuli Astuti, S.KM.",
        "role": "lurah",
        "unit": "Bendan Kergon",
        "position": "Lurah Bendan Kergon",
        "phone": "0812-2980-3314",
        "kind": "evaluasi",
        "pillar": "P1",
        "title": "PMT balita berisiko stunting perlu dikonsumsi langsung di posyandu",
        "description": (
            "PMT selama 90 hari untuk 19 balita berisiko stunting di Bendan Kergon sudah "
            "berjalan, namun kader menemukan sebagian makanan ikut dikonsumsi anggota keluarga "
            "lain. Kami mengusulkan PMT diberikan dalam bentuk makan bersama di posyandu atau "
            "rumah kader dua kali seminggu dengan penimbangan berat badan setiap bulan."
        ),
        "location": "Bendan Kergon",
        "target_group": "balita_stunting",
        "program": "Bantuan PMT untuk anak berpotensi stunting",
        "beneficiaries": 19,
        "cost": None,
        "minutes_after_start": 118,
        "status": "received",
        "decision_reason": "",
    },
    {
        "submitter_name": "Suharto, S.P.",
        "role": "lurah",
        "unit": "Sokoduwet",
        "position": "Lurah Sokoduwet",
        "phone": "",
        "kind": "evaluasi",
        "pillar": "P2",
        "title": "Bantuan bibit cabai berhasil dan layak diperluas ke RW lain",
        "description": (
            "Bantuan bibit cabai polybag di Sokoduwet berjalan baik karena dikelola Kelompok "
            "Wanita Tani di lahan pekarangan RW 03, dengan hasil panen sekitar 1,2 kuintal "
            "dalam dua bulan. Kami mengusulkan program dilanjutkan dan diperluas ke tiga RW "
            "lain dengan tambahan sarana penyiraman sederhana untuk sekitar 45 KK."
        ),
        "location": "Sokoduwet",
        "target_group": "umum",
        "program": "Bantuan bibit cabai",
        "beneficiaries": 45,
        "cost": 35000000,
        "minutes_after_start": 112,
        "status": "accepted",
        "decision_reason": "",
    },
    {
        "submitter_name": "Arif Rahman Hakim, S.H.",
        "role": "lurah",
        "unit": "Jenggot",
        "position": "Lurah Jenggot",
        "phone": "0895-3641-2207",
        "kind": "usulan",
        "pillar": "P3",
        "title": "Pinjaman dana bergulir tanpa bunga bagi pedagang kecil dan perajin",
        "description": (
            "Kami mengusulkan program pinjaman dana bergulir tanpa bunga dengan plafon Rp2-5 "
            "juta bagi 50 pedagang kecil dan perajin sablon batik di Jenggot, disalurkan "
            "melalui koperasi kelurahan dengan pendampingan pembukuan, agar mereka tidak lagi "
            "bergantung pada rentenir."
        ),
        "location": "Jenggot",
        "target_group": "umkm",
        "program": "",
        "beneficiaries": 50,
        "cost": 200000000,
        "minutes_after_start": 124,
        "status": "received",
        "decision_reason": "",
    },
    {
        "submitter_name": "Hj. Nurul Khasanah, S.E.",
        "role": "lurah",
        "unit": "Buaran Kradenan",
        "position": "Lurah Buaran Kradenan",
        "phone": "",
        "kind": "usulan",
        "pillar": "P3",
        "title": "Revitalisasi alat tenun ATBM dan regenerasi penenun muda",
        "description": (
            "Sentra tenun ATBM di Buaran Kradenan menyerap sekitar 120 tenaga kerja, sebagian "
            "besar perempuan, namun banyak alat tenun yang rusak dan jumlah penenun muda terus "
            "berkurang. Kami mengusulkan bantuan perbaikan 30 unit ATBM dan pelatihan menenun "
            "bagi pemuda setempat."
        ),
        "location": "Buaran Kradenan",
        "target_group": "umkm",
        "program": "",
        "beneficiaries": 120,
        "cost": 90000000,
        "minutes_after_start": 131,
        "status": "received",
        "decision_reason": "",
    },
    {
        "submitter_name": "Teguh Wibowo, S.Sos.",
        "role": "lurah",
        "unit": "Noyontaansari",
        "position": "Lurah Noyontaansari",
        "phone": "0856-4011-9382",
        "kind": "usulan",
        "pillar": "P1",
        "title": "BLT daerah Rp300.000 per bulan untuk seluruh KK di DTKS",
        "description": (
            "Kami mengusulkan Pemkot memberikan bantuan langsung tunai daerah sebesar "
            "Rp300.000 per bulan kepada seluruh KK yang tercatat di DTKS, di Noyontaansari "
            "sendiri sekitar 310 KK, agar daya beli warga miskin terjaga di tengah kenaikan "
            "harga beras."
        ),
        "location": "Noyontaansari",
        "target_group": "umum",
        "program": "",
        "beneficiaries": 310,
        "cost": None,
        "minutes_after_start": 139,
        "status": "declined",
        "decision_reason": (
            "Kapasitas fiskal daerah tidak memungkinkan dan tumpang tindih dengan bansos "
            "pusat; diarahkan ke program berbasis pemberdayaan."
        ),
    },
    {
        "submitter_name": "Abdul Rokhim, S.AP.",
        "role": "lurah",
        "unit": "Padukuhan Kraton",
        "position": "Lurah Padukuhan Kraton",
        "phone": "",
        "kind": "usulan",
        "pillar": "P3",
        "title": "Pengadaan kapal motor 10 GT untuk kelompok nelayan",
        "description": (
            "Kami mengusulkan pengadaan dua unit kapal motor berukuran 10 GT beserta alat "
            "tangkap untuk kelompok nelayan di Padukuhan Kraton, agar nelayan buruh dapat "
            "memiliki armada sendiri dan tidak bergantung pada juragan kapal."
        ),
        "location": "Padukuhan Kraton",
        "target_group": "nelayan",
        "program": "",
        "beneficiaries": 30,
        "cost": 1400000000,
        "minutes_after_start": 146,
        "status": "declined",
        "decision_reason": (
            "Pengadaan kapal di atas 5 GT bukan kewenangan Pemkot; diarahkan ke DKP Provinsi "
            "Jawa Tengah dan KKP."
        ),
    },
    {
        "submitter_name": "Wahyu Hidayat, S.STP., M.Si.",
        "role": "camat",
        "unit": "Pekalongan Utara",
        "position": "Camat Pekalongan Utara",
        "phone": "0812-2833-5061",
        "kind": "usulan",
        "pillar": "P4",
        "title": "Intervensi terpadu lintas OPD di kelurahan pesisir terdampak rob",
        "description": (
            "Kecamatan Pekalongan Utara menjadi kantong kemiskinan terbesar di kota, terutama "
            "di Bandengan, Krapyak, Panjang Wetan, dan Degayu yang setiap hari terdampak rob. "
            "Kami mengusulkan intervensi terpadu lintas OPD (RTLH, sanitasi, permodalan "
            "nelayan, dan pelatihan kerja) dipusatkan di kelurahan tersebut dengan satu "
            "rencana aksi bersama dan sasaran by name by address."
        ),
        "location": "",
        "target_group": "umum",
        "program": "",
        "beneficiaries": None,
        "cost": None,
        "minutes_after_start": 24,
        "status": "accepted",
        "decision_reason": "Menjadi bahan penyusunan rencana aksi TKPK 2024.",
    },
    {
        "submitter_name": "Khoirul Anwar, S.Sos.",
        "role": "camat",
        "unit": "Pekalongan Utara",
        "position": "Kepala Seksi Kesejahteraan Sosial Kecamatan Pekalongan Utara",
        "phone": "",
        "kind": "kendala",
        "pillar": "P2",
        "title": "Nelayan tradisional tanpa penghasilan saat musim baratan",
        "description": (
            "Pada musim baratan Desember-Februari, sekitar 600 nelayan tradisional dan buruh "
            "nelayan di Pekalongan Utara tidak melaut hingga dua bulan dan tidak memiliki "
            "penghasilan alternatif. Perlu program padat karya atau pelatihan pengolahan hasil "
            "perikanan yang dijadwalkan pada masa paceklik tersebut."
        ),
        "location": "",
        "target_group": "nelayan",
        "program": "",
        "beneficiaries": 600,
        "cost": None,
        "minutes_after_start": 67,
        "status": "received",
        "decision_reason": "",
    },
    {
        "submitter_name": "Drs. Sugeng Raharjo, M.M.",
        "role": "camat",
        "unit": "Pekalongan Timur",
        "position": "Camat Pekalongan Timur",
        "phone": "0813-9105-2246",
        "kind": "kendala",
        "pillar": "P3",
        "title": "Pedagang kecil terjerat rentenir, bank plecit, dan pinjol ilegal",
        "description": (
            "Berdasarkan laporan lurah dan kader PKK, banyak pedagang kecil dan ibu rumah "
            "tangga di Pekalongan Timur terjerat pinjaman bank plecit dan pinjol ilegal dengan "
            "bunga 20-30 persen per bulan, sehingga bantuan yang diterima habis untuk membayar "
            "cicilan. Kami mengusulkan literasi keuangan bersama OJK dan akses kredit mikro "
            "berbunga rendah yang mudah dijangkau."
        ),
        "location": "",
        "target_group": "umkm",
        "program": "",
        "beneficiaries": None,
        "cost": None,
        "minutes_after_start": 58,
        "status": "accepted",
        "decision_reason": "",
    },
    {
        "submitter_name": "Endang Susilowati, S.Sos.",
        "role": "camat",
        "unit": "Pekalongan Timur",
        "position": "Kepala Seksi Kesejahteraan Sosial Kecamatan Pekalongan Timur",
        "phone": "",
        "kind": "evaluasi",
        "pillar": "P1",
        "title": "Paket sembako lansia dan disabilitas agar diantar ke rumah",
        "description": (
            "Penyaluran paket sembako bagi 214 lansia dan penyandang disabilitas di Pekalongan "
            "Timur berjalan baik, tetapi ada penerima yang tidak mampu mengambil sendiri ke "
            "kantor kelurahan. Kami mengusulkan paket diantar langsung ke rumah oleh kader "
            "atau TKSK bagi lansia tunggal dan penyandang disabilitas berat."
        ),
        "location": "",
        "target_group": "lansia",
        "program": "Bantuan paket sembako untuk lansia, disabilitas, penghuni RPSBM",
        "beneficiaries": 214,
        "cost": None,
        "minutes_after_start": 82,
        "status": "accepted",
        "decision_reason": "Dinsos P2KB menyiapkan mekanisme antar melalui TKSK.",
    },
    {
        "submitter_name": "Budi Santoso, S.STP., M.M.",
        "role": "camat",
        "unit": "Pekalongan Barat",
        "position": "Camat Pekalongan Barat",
        "phone": "0822-2540-6617",
        "kind": "usulan",
        "pillar": "P2",
        "title": "Pelatihan kerja terhubung dengan kebutuhan industri garmen dan batik",
        "description": (
            "Kami mengusulkan pelatihan kerja yang dikaitkan langsung dengan kebutuhan tenaga "
            "kerja perusahaan garmen dan batik di wilayah Pekalongan Barat, dengan skema "
            "pelatihan, magang, lalu penempatan bagi 50 pencari kerja usia 18-30 tahun dari "
            "keluarga miskin."
        ),
        "location": "",
        "target_group": "pencari_kerja",
        "program": "Pelatihan kerja",
        "beneficiaries": 50,
        "cost": 150000000,
        "minutes_after_start": 33,
        "status": "accepted",
        "decision_reason": "",
    },
    {
        "submitter_name": "Retno Wulandari, S.H.",
        "role": "camat",
        "unit": "Pekalongan Barat",
        "position": "Sekretaris Kecamatan Pekalongan Barat",
        "phone": "",
        "kind": "kendala",
        "pillar": "P1",
        "title": "Peserta PBI JKN baru tahu nonaktif saat berobat",
        "description": (
            "Kami menerima keluhan dari empat kelurahan bahwa banyak warga miskin baru "
            "mengetahui kepesertaan PBI JKN-nya nonaktif ketika berobat ke puskesmas atau "
            "rumah sakit. Perlu mekanisme pemberitahuan dini dan reaktivasi cepat melalui "
            "kelurahan agar warga tidak terpaksa membayar sebagai pasien umum."
        ),
        "location": "",
        "target_group": "umum",
        "program": "Bantuan iuran PBI JKN",
        "beneficiaries": None,
        "cost": None,
        "minutes_after_start": 92,
        "status": "follow_up",
        "decision_reason": (
            "Dinkes dan BPJS Kesehatan menyiapkan daftar peserta nonaktif per kelurahan setiap "
            "bulan."
        ),
    },
    {
        "submitter_name": "Imam Syafi'i, S.Sos., M.Si.",
        "role": "camat",
        "unit": "Pekalongan Selatan",
        "position": "Camat Pekalongan Selatan",
        "phone": "",
        "kind": "usulan",
        "pillar": "P2",
        "title": "Optimalisasi lahan pekarangan untuk ketahanan pangan keluarga miskin",
        "description": (
            "Pekalongan Selatan masih memiliki lahan sawah dan pekarangan di Sokoduwet, "
            "Kuripan Kertoharjo, dan Kuripan Yosorejo. Kami mengusulkan program pekarangan "
            "pangan bagi 100 KK miskin dengan bantuan bibit sayur, cabai, dan budidaya lele "
            "dalam ember (budikdamber)."
        ),
        "location": "",
        "target_group": "umum",
        "program": "",
        "beneficiaries": 100,
        "cost": 75000000,
        "minutes_after_start": 99,
        "status": "received",
        "decision_reason": "",
    },
    {
        "submitter_name": "Lilik Sumarni, S.E.",
        "role": "camat",
        "unit": "Pekalongan Selatan",
        "position": "Kepala Seksi Kesejahteraan Sosial Kecamatan Pekalongan Selatan",
        "phone": "0857-2766-4530",
        "kind": "kendala",
        "pillar": "P4",
        "title": "Anak putus sekolah bekerja di usaha tenun dan konveksi",
        "description": (
            "Kami mencatat sedikitnya 27 anak usia SMP-SMA di Pekalongan Selatan putus sekolah "
            "pada 2023 untuk bekerja membantu orang tua di usaha tenun dan konveksi, serta "
            "beberapa kasus perkawinan usia anak. Kondisi ini berisiko mewariskan kemiskinan "
            "ke generasi berikutnya sehingga perlu pendekatan keluarga dan kejar paket melalui "
            "sanggar kegiatan belajar."
        ),
        "location": "",
        "target_group": "pelajar",
        "program": "",
        "beneficiaries": 27,
        "cost": None,
        "minutes_after_start": 151,
        "status": "received",
        "decision_reason": "",
    },
    {
        "submitter_name": "Dr. Hendra Kurniawan, S.T., M.T.",
        "role": "opd",
        "unit": "Bappeda",
        "position": "Kepala Bidang Pemerintahan dan Pembangunan Manusia",
        "phone": "0812-2501-7730",
        "kind": "kendala",
        "pillar": "P4",
        "title": "Penurunan kemiskinan 2022-2023 hanya 0,19 poin persen",
        "description": (
            "Angka kemiskinan turun dari 7,00 persen pada 2022 menjadi 6,81 persen pada 2023, "
            "masih di atas target 6,50 persen. Analisis awal menunjukkan sebagian besar "
            "program masih berupa bantuan konsumtif dan belum menyasar keluarga yang sama "
            "secara terpadu, sehingga perlu konvergensi program pada keluarga desil 1 P3KE by "
            "name by address."
        ),
        "location": "",
        "target_group": "umum",
        "program": "",
        "beneficiaries": None,
        "cost": None,
        "minutes_after_start": 6,
        "status": "accepted",
        "decision_reason": "Menjadi dasar konvergensi program dalam RKPD 2025.",
    },
    {
        "submitter_name": "Yulia Rahmawati, S.Sos., M.M.",
        "role": "opd",
        "unit": "Dinsos P2KB",
        "position": "Kepala Bidang Perlindungan dan Jaminan Sosial",
        "phone": "",
        "kind": "kendala",
        "pillar": "P1",
        "title": "Data DTKS dan P3KE belum sinkron sehingga sasaran program berbeda",
        "description": (
            "Hasil pemadanan Dinsos P2KB menunjukkan sekitar 4.300 keluarga tercatat di P3KE "
            "desil 1-2 tetapi tidak ada di DTKS, dan sebaliknya sekitar 2.100 keluarga DTKS "
            "tidak tercatat di P3KE. Perbedaan basis data ini membuat sasaran program "
            "antar-OPD berbeda dan dampaknya sulit diukur."
        ),
        "location": "",
        "target_group": "umum",
        "program": "",
        "beneficiaries": 6400,
        "cost": None,
        "minutes_after_start": 18,
        "status": "accepted",
        "decision_reason": (
            "Disepakati pemadanan DTKS-P3KE dikoordinasikan Bappeda dan Dinsos P2KB."
        ),
    },
    {
        "submitter_name": "Joko Susilo, S.Sos.",
        "role": "opd",
        "unit": "Dinsos P2KB",
        "position": "Pekerja Sosial Ahli Muda",
        "phone": "0821-3711-0458",
        "kind": "evaluasi",
        "pillar": "P1",
        "title": "Program charity lansia dan disabilitas perlu tambahan alat bantu",
        "description": (
            "Program charity bagi lansia dan disabilitas tahun 2023 menjangkau sekitar 1.250 "
            "penerima dalam bentuk paket kebutuhan pokok. Hasil kunjungan rumah menunjukkan 60 "
            "penyandang disabilitas membutuhkan kursi roda, alat bantu dengar, atau kruk, "
            "sehingga kami mengusulkan komponen alat bantu ditambahkan pada 2024."
        ),
        "location": "",
        "target_group": "disabilitas",
        "program": "Program charity bagi lansia dan disabilitas",
        "beneficiaries": 60,
        "cost": 180000000,
        "minutes_after_start": 74,
        "status": "accepted",
        "decision_reason": "",
    },
    {
        "submitter_name": "dr. Ratna Dewi Anggraini, M.Kes.",
        "role": "opd",
        "unit": "Dinkes",
        "position": "Kepala Bidang Kesehatan Masyarakat",
        "phone": "",
        "kind": "evaluasi",
        "pillar": "P1",
        "title": "PMT lokal 2023 menaikkan berat badan 58 persen balita sasaran",
        "description": (
            "PMT berbahan pangan lokal tahun 2023 diberikan kepada 412 balita berpotensi "
            "stunting dan 58 persen di antaranya mengalami kenaikan berat badan sesuai "
            "standar. Untuk 2024 kami mengusulkan sasaran diperluas ke ibu hamil KEK dan "
            "baduta, dengan menu berbasis ikan hasil tangkapan nelayan setempat."
        ),
        "location": "",
        "target_group": "balita_stunting",
        "program": "Bantuan PMT untuk anak berpotensi stunting",
        "beneficiaries": 412,
        "cost": 620000000,
        "minutes_after_start": 21,
        "status": "accepted",
        "decision_reason": "",
    },
    {
        "submitter_name": "Fitri Nurhayati, S.KM.",
        "role": "opd",
        "unit": "Dinkes",
        "position": "Administrator Kesehatan Ahli Muda",
        "phone": "",
        "kind": "evaluasi",
        "pillar": "P1",
        "title": "Ribuan peserta PBI JKN APBD nonaktif karena NIK tidak padan",
        "description": (
            "Pemkot membiayai iuran PBI JKN dari APBD untuk sekitar 38.000 jiwa, namun sekitar "
            "3.100 peserta tercatat nonaktif karena NIK tidak padan dengan data kependudukan. "
            "Kami mengusulkan pemadanan bulanan bersama Dindukcapil dan BPJS Kesehatan Cabang "
            "Pekalongan."
        ),
        "location": "",
        "target_group": "umum",
        "program": "Bantuan iuran PBI JKN",
        "beneficiaries": 3100,
        "cost": None,
        "minutes_after_start": 86,
        "status": "follow_up",
        "decision_reason": "Pemadanan bulanan Dinkes-Dindukcapil-BPJS Kesehatan mulai Maret 2024.",
    },
    {
        "submitter_name": "Drs. Ahmad Subkhi, M.Pd.",
        "role": "opd",
        "unit": "Dindik",
        "position": "Kepala Bidang Pembinaan Sekolah Dasar",
        "phone": "0813-2562-9081",
        "kind": "evaluasi",
        "pillar": "P1",
        "title": "Sasaran bantuan perlengkapan belajar dipadankan Dapodik dan DTKS",
        "description": (
            "Bantuan perlengkapan belajar tahun 2023 diberikan kepada sekitar 2.400 siswa SD "
            "dan SMP. Agar tepat sasaran, data penerima 2024 akan dipadankan antara Dapodik "
            "dan DTKS, dan dukungan untuk sanggar kegiatan belajar diarahkan pada program "
            "kejar paket bagi anak putus sekolah."
        ),
        "location": "",
        "target_group": "pelajar",
        "program": "Bantuan perlengkapan belajar untuk siswa miskin dan sanggar kegiatan belajar",
        "beneficiaries": 2400,
        "cost": 960000000,
        "minutes_after_start": 31,
        "status": "accepted",
        "decision_reason": "",
    },
    {
        "submitter_name": "Anisa Fitriani, S.E., M.Si.",
        "role": "opd",
        "unit": "Dindagkop-UKM",
        "position": "Kepala Bidang Usaha Mikro",
        "phone": "0852-9024-3175",
        "kind": "usulan",
        "pillar": "P3",
        "title": "Inkubasi usaha mikro bagi pelaku usaha dari keluarga miskin",
        "description": (
            "Kami mengusulkan 150 pelaku usaha mikro dari keluarga miskin mengikuti inkubasi "
            "selama enam bulan: pengurusan NIB, sertifikasi halal gratis, kurasi produk, serta "
            "akses pasar ke Pasar Grosir Setono dan katalog elektronik lokal."
        ),
        "location": "",
        "target_group": "umkm",
        "program": "",
        "beneficiaries": 150,
        "cost": 300000000,
        "minutes_after_start": 101,
        "status": "accepted",
        "decision_reason": "",
    },
    {
        "submitter_name": "Rudi Hartono, S.T.",
        "role": "opd",
        "unit": "Dinperinaker",
        "position": "Kepala Bidang Pelatihan dan Produktivitas Tenaga Kerja",
        "phone": "",
        "kind": "evaluasi",
        "pillar": "P2",
        "title": "Penempatan lulusan pelatihan kerja 2023 baru 41 persen",
        "description": (
            "Pada 2023 kami melatih 320 peserta di kejuruan menjahit, las, barista, dan "
            "otomotif, namun tingkat penempatan kerja atau wirausaha baru 41 persen. Kami "
            "mengusulkan pelatihan berbasis pesanan (by order) dengan nota kesepahaman bersama "
            "perusahaan pengguna sejak awal."
        ),
        "location": "",
        "target_group": "pencari_kerja",
        "program": "Pelatihan kerja",
        "beneficiaries": 320,
        "cost": None,
        "minutes_after_start": 27,
        "status": "accepted",
        "decision_reason": "",
    },
    {
        "submitter_name": "Susanti, S.H.",
        "role": "opd",
        "unit": "Dinperinaker",
        "position": "Kepala Bidang Hubungan Industrial dan Jaminan Sosial",
        "phone": "0822-2150-7034",
        "kind": "usulan",
        "pillar": "P1",
        "title": "Perluasan iuran BPJS Ketenagakerjaan bagi buruh batik harian",
        "description": (
            "Kami mengusulkan perluasan bantuan iuran BPJS Ketenagakerjaan (JKK dan JKM) bagi "
            "5.000 pekerja rentan, terutama buruh batik dan buruh harian lepas, dengan iuran "
            "Rp16.800 per orang per bulan atau sekitar Rp1,008 miliar per tahun."
        ),
        "location": "",
        "target_group": "umum",
        "program": "Bantuan jaminan sosial tenaga kerja rentan (BPJS Ketenagakerjaan)",
        "beneficiaries": 5000,
        "cost": 1008000000,
        "minutes_after_start": 109,
        "status": "received",
        "decision_reason": "",
    },
    {
        "submitter_name": "Ir. Mochamad Nasrudin",
        "role": "opd",
        "unit": "DKP",
        "position": "Kepala Bidang Perikanan Tangkap",
        "phone": "",
        "kind": "usulan",
        "pillar": "P1",
        "title": "Bantuan iuran BPJS Ketenagakerjaan untuk nelayan kecil dan ABK",
        "description": (
            "Kami mengusulkan perluasan bantuan iuran BPJS Ketenagakerjaan (JKK dan JKM) bagi "
            "1.200 nelayan kecil dan ABK yang berdomisili di Kota Pekalongan, mengingat risiko "
            "kecelakaan kerja di laut tinggi dan sebagian besar belum terlindungi jaminan "
            "sosial."
        ),
        "location": "",
        "target_group": "nelayan",
        "program": "Bantuan jaminan sosial tenaga kerja rentan (BPJS Ketenagakerjaan)",
        "beneficiaries": 1200,
        "cost": 241920000,
        "minutes_after_start": 46,
        "status": "accepted",
        "decision_reason": "",
    },
    {
        "submitter_name": "Dewi Lestari, S.Pi.",
        "role": "opd",
        "unit": "DKP",
        "position": "Penyuluh Perikanan Ahli Muda",
        "phone": "0895-4120-6678",
        "kind": "evaluasi",
        "pillar": "P3",
        "title": "Empat dari 18 kelompok penerima permodalan perikanan tidak aktif",
        "description": (
            "Bantuan permodalan berupa alat tangkap dan sarana pengolahan ikan telah diberikan "
            "kepada 18 kelompok pada 2023, namun empat kelompok sudah tidak aktif karena "
            "pengurus pindah kerja dan tidak ada pembukuan. Kami mengusulkan verifikasi "
            "kelompok sebelum penyaluran dan pendampingan pembukuan sederhana selama enam "
            "bulan."
        ),
        "location": "",
        "target_group": "nelayan",
        "program": "Bantuan permodalan sektor perikanan, peternakan, pertanian",
        "beneficiaries": 18,
        "cost": None,
        "minutes_after_start": 114,
        "status": "accepted",
        "decision_reason": "",
    },
    {
        "submitter_name": "drh. Agung Nugroho",
        "role": "opd",
        "unit": "DPP",
        "position": "Kepala Bidang Peternakan dan Kesehatan Hewan",
        "phone": "",
        "kind": "evaluasi",
        "pillar": "P2",
        "title": "Kematian bibit entok tinggi, bantuan 2024 perlu berbasis kelompok",
        "description": (
            "Dari 1.000 ekor bibit entok yang disalurkan pada 2023 kepada 100 KPM, tingkat "
            "kematian mencapai sekitar 35 persen, terutama di kelurahan terdampak rob. Kami "
            "mengusulkan bantuan 2024 diberikan melalui kelompok dengan kandang bersama, "
            "vaksinasi, dan pakan awal satu bulan."
        ),
        "location": "",
        "target_group": "umum",
        "program": "Bantuan bibit entok",
        "beneficiaries": 100,
        "cost": 120000000,
        "minutes_after_start": 122,
        "status": "accepted",
        "decision_reason": "",
    },
    {
        "submitter_name": "Andi Wijaya, S.T., M.T.",
        "role": "opd",
        "unit": "Disperkim",
        "position": "Kepala Bidang Perumahan dan Kawasan Permukiman",
        "phone": "0812-1544-2893",
        "kind": "usulan",
        "pillar": "P4",
        "title": "Penanganan kawasan kumuh terpadu di Panjang Baru",
        "description": (
            "Kawasan kumuh seluas sekitar 12 hektare di Panjang Baru memiliki kepadatan "
            "tinggi, drainase buruk, dan sering tergenang rob. Kami mengusulkan penanganan "
            "terpadu berupa rehabilitasi 150 unit RTLH, sanitasi komunal, dan perbaikan "
            "drainase lingkungan secara bertahap 2024-2026."
        ),
        "location": "Panjang Baru",
        "target_group": "umum",
        "program": "",
        "beneficiaries": 150,
        "cost": 4500000000,
        "minutes_after_start": 80,
        "status": "follow_up",
        "decision_reason": "Diusulkan melalui skema kolaborasi APBD, APBN, dan CSR; menunggu DED.",
    },
    {
        "submitter_name": "Purwanto, S.Sos.",
        "role": "opd",
        "unit": "BPBD",
        "position": "Kepala Bidang Kedaruratan dan Logistik",
        "phone": "",
        "kind": "kendala",
        "pillar": "P4",
        "title": "Rob berulang memicu pemiskinan baru di wilayah pesisir",
        "description": (
            "Kaji cepat BPBD mencatat warga di enam kelurahan Pekalongan Utara terdampak rob "
            "berulang sepanjang tahun, dengan kerugian berupa kerusakan rumah, perabot, dan "
            "hilangnya hari kerja. Keluarga yang sebelumnya hampir miskin menjadi miskin "
            "karena biaya pemulihan, sehingga penanganan rob perlu masuk strategi "
            "penanggulangan kemiskinan."
        ),
        "location": "",
        "target_group": "umum",
        "program": "",
        "beneficiaries": None,
        "cost": None,
        "minutes_after_start": 128,
        "status": "received",
        "decision_reason": "",
    },
    {
        "submitter_name": "Sri Rejeki, S.Kom.",
        "role": "opd",
        "unit": "Dindukcapil",
        "position": "Kepala Bidang Pelayanan Pendaftaran Penduduk",
        "phone": "0878-3091-5542",
        "kind": "usulan",
        "pillar": "P1",
        "title": "Jemput bola layanan adminduk bagi keluarga miskin",
        "description": (
            "Kami siap melaksanakan layanan jemput bola perekaman KTP-el, pembaruan KK, dan "
            "perbaikan NIK di kelurahan setiap hari Kamis, dengan prioritas keluarga miskin "
            "yang datanya belum padan di DTKS. Target 2024 sekitar 2.000 dokumen."
        ),
        "location": "",
        "target_group": "umum",
        "program": "",
        "beneficiaries": 2000,
        "cost": 40000000,
        "minutes_after_start": 61,
        "status": "accepted",
        "decision_reason": "",
    },
    {
        "submitter_name": "Galih Permana, S.Pd.",
        "role": "opd",
        "unit": "Dinparbudpora",
        "position": "Kepala Bidang Kepemudaan",
        "phone": "",
        "kind": "usulan",
        "pillar": "P2",
        "title": "Pelatihan kreator konten dan pemandu wisata batik bagi pemuda",
        "description": (
            "Kami mengusulkan pelatihan kreator konten, fotografi produk, dan pemandu wisata "
            "batik bagi 40 pemuda dari keluarga miskin, dengan praktik langsung di Museum "
            "Batik dan Kampung Batik Kauman, agar pemuda memperoleh penghasilan dari sektor "
            "wisata dan ekonomi kreatif."
        ),
        "location": "Kauman",
        "target_group": "pencari_kerja",
        "program": "Pemberdayaan generasi muda",
        "beneficiaries": 40,
        "cost": 80000000,
        "minutes_after_start": 117,
        "status": "accepted",
        "decision_reason": "",
    },
    {
        "submitter_name": "Umi Kulsum, S.Psi.",
        "role": "opd",
        "unit": "DPMP3A",
        "position": "Kepala Bidang Pemberdayaan Perempuan",
        "phone": "0856-2915-0076",
        "kind": "usulan",
        "pillar": "P2",
        "title": "Pelatihan olahan pangan berbasis ikan bagi perempuan kepala keluarga",
        "description": (
            "Kami mengusulkan pelatihan pengolahan ikan (abon, kerupuk, dan bakso ikan) bagi "
            "60 perempuan kepala keluarga di kelurahan pesisir Pekalongan Utara, dilanjutkan "
            "pendampingan perizinan PIRT dan pemasaran."
        ),
        "location": "",
        "target_group": "perempuan_kepala_keluarga",
        "program": "Pelatihan kerja",
        "beneficiaries": 60,
        "cost": 90000000,
        "minutes_after_start": 136,
        "status": "received",
        "decision_reason": "",
    },
    {
        "submitter_name": "Yoga Aditya Pratama, S.Kom.",
        "role": "opd",
        "unit": "Dinkominfo",
        "position": "Pranata Komputer Ahli Muda",
        "phone": "",
        "kind": "usulan",
        "pillar": "P4",
        "title": "Dasbor data terpadu penerima program penanggulangan kemiskinan",
        "description": (
            "Kami mengusulkan pengembangan dasbor data terpadu yang menggabungkan DTKS, P3KE, "
            "dan data penerima bantuan setiap OPD by name by address, dapat diakses lurah dan "
            "camat, sehingga tumpang tindih dan warga yang belum tersentuh program dapat "
            "terlihat."
        ),
        "location": "",
        "target_group": "umum",
        "program": "",
        "beneficiaries": None,
        "cost": 150000000,
        "minutes_after_start": 143,
        "status": "follow_up",
        "decision_reason": (
            "Dibahas lebih lanjut bersama Bappeda dan Dinsos P2KB terkait keamanan data pribadi."
        ),
    },
    {
        "submitter_name": "Sigit Purnomo, S.E., Ak.",
        "role": "opd",
        "unit": "Inspektorat",
        "position": "Auditor Ahli Madya",
        "phone": "",
        "kind": "kendala",
        "pillar": "P1",
        "title": "Temuan penerima bantuan ganda antar-OPD",
        "description": (
            "Hasil reviu Inspektorat atas bantuan sosial 2023 menemukan 146 penerima yang "
            "menerima bantuan sejenis dari dua OPD berbeda, sementara ada keluarga miskin yang "
            "tidak menerima bantuan apa pun. Hal ini disebabkan belum adanya satu data sasaran "
            "yang dipakai bersama."
        ),
        "location": "",
        "target_group": "umum",
        "program": "",
        "beneficiaries": 146,
        "cost": None,
        "minutes_after_start": 156,
        "status": "received",
        "decision_reason": "",
    },
    {
        "submitter_name": "Lukman Hakim, S.Si., M.Stat.",
        "role": "stakeholder",
        "unit": "BPS Kota Pekalongan",
        "position": "Statistisi Ahli Madya",
        "phone": "",
        "kind": "kendala",
        "pillar": "P4",
        "title": "Konsumsi rokok menjadi penyumbang besar garis kemiskinan",
        "description": (
            "Komoditas makanan penyumbang terbesar garis kemiskinan Kota Pekalongan adalah "
            "beras, disusul rokok kretek filter, di atas telur dan daging ayam. Artinya "
            "pengeluaran rumah tangga miskin untuk rokok sangat membebani, sehingga kampanye "
            "pengurangan konsumsi rokok di keluarga miskin perlu menjadi bagian strategi "
            "nonteknis penanggulangan kemiskinan."
        ),
        "location": "",
        "target_group": "umum",
        "program": "",
        "beneficiaries": None,
        "cost": None,
        "minutes_after_start": 12,
        "status": "accepted",
        "decision_reason": "",
    },
    {
        "submitter_name": "Dimas Ardiansyah",
        "role": "stakeholder",
        "unit": "BPJS Ketenagakerjaan Cabang Pekalongan",
        "position": "Kepala Bidang Kepesertaan Bukan Penerima Upah",
        "phone": "0811-2962-4410",
        "kind": "evaluasi",
        "pillar": "P1",
        "title": "Manfaat JKM bagi ahli waris pekerja rentan sudah dirasakan",
        "description": (
            "Sepanjang 2023 telah dibayarkan manfaat jaminan kematian sebesar Rp42 juta kepada "
            "23 ahli waris pekerja rentan yang iurannya dibantu Pemkot, sehingga keluarga "
            "tidak jatuh lebih miskin. Kami mengusulkan kepesertaan diperluas dan iuran "
            "dibayarkan tepat waktu agar perlindungan tidak terputus."
        ),
        "location": "",
        "target_group": "umum",
        "program": "Bantuan jaminan sosial tenaga kerja rentan (BPJS Ketenagakerjaan)",
        "beneficiaries": 23,
        "cost": None,
        "minutes_after_start": 40,
        "status": "accepted",
        "decision_reason": "",
    },
    {
        "submitter_name": "Novita Sari, S.E.",
        "role": "stakeholder",
        "unit": "BPJS Kesehatan Cabang Pekalongan",
        "position": "Kepala Bagian Perluasan Peserta dan Kepatuhan",
        "phone": "",
        "kind": "kendala",
        "pillar": "P1",
        "title": "Peserta mandiri kelas III menunggak dan tidak bisa berobat",
        "description": (
            "Terdapat sekitar 5.600 peserta mandiri kelas III di Kota Pekalongan yang "
            "menunggak iuran, sebagian besar pekerja informal yang penghasilannya turun. Saat "
            "sakit mereka terpaksa berobat sebagai pasien umum dan berutang, sehingga perlu "
            "verifikasi untuk dialihkan menjadi peserta PBI JKN APBD bila memenuhi kriteria."
        ),
        "location": "",
        "target_group": "umum",
        "program": "Bantuan iuran PBI JKN",
        "beneficiaries": 5600,
        "cost": None,
        "minutes_after_start": 94,
        "status": "received",
        "decision_reason": "",
    },
    {
        "submitter_name": "Dr. Muhammad Ali Rosyidi, S.E., M.M.",
        "role": "stakeholder",
        "unit": "Universitas Pekalongan",
        "position": "Kepala Pusat Studi Ekonomi dan Kebijakan Publik LPPM",
        "phone": "0813-2555-8129",
        "kind": "usulan",
        "pillar": "P4",
        "title": "KKN tematik penanggulangan kemiskinan di kelurahan kantong kemiskinan",
        "description": (
            "LPPM Universitas Pekalongan siap menerjunkan 200 mahasiswa KKN tematik di 10 "
            "kelurahan dengan kantong kemiskinan tertinggi untuk membantu pemutakhiran data "
            "dan pendampingan keluarga miskin, sekaligus melakukan kajian evaluasi dampak "
            "program 2021-2023."
        ),
        "location": "",
        "target_group": "umum",
        "program": "",
        "beneficiaries": 200,
        "cost": None,
        "minutes_after_start": 107,
        "status": "accepted",
        "decision_reason": "",
    },
    {
        "submitter_name": "Dr. Hj. Siti Aminah, M.E.I.",
        "role": "stakeholder",
        "unit": "UIN K.H. Abdurrahman Wahid Pekalongan",
        "position": "Dosen Fakultas Ekonomi dan Bisnis Islam",
        "phone": "",
        "kind": "usulan",
        "pillar": "P3",
        "title": "Pendampingan pembukuan sederhana dan pembiayaan syariah bagi usaha mikro",
        "description": (
            "Kami menawarkan pendampingan pembukuan sederhana dan literasi keuangan syariah "
            "bagi 100 pelaku usaha mikro dari keluarga miskin, dihubungkan dengan lembaga "
            "keuangan syariah dan BMT yang menyediakan pembiayaan tanpa agunan, sebagai "
            "alternatif dari rentenir."
        ),
        "location": "",
        "target_group": "umkm",
        "program": "",
        "beneficiaries": 100,
        "cost": None,
        "minutes_after_start": 126,
        "status": "accepted",
        "decision_reason": "",
    },
    {
        "submitter_name": "Hj. Sri Mulyani",
        "role": "stakeholder",
        "unit": "TP PKK Kota Pekalongan",
        "position": "Ketua Pokja II TP PKK",
        "phone": "0852-2577-0139",
        "kind": "kendala",
        "pillar": "P3",
        "title": "Ibu rumah tangga terjerat rentenir, bank plecit, dan pinjaman online",
        "description": (
            "Melalui kegiatan Dasawisma kami menemukan banyak ibu rumah tangga dari keluarga "
            "miskin di Pekalongan Timur dan Pekalongan Utara meminjam ke bank plecit dan "
            "pinjol ilegal untuk kebutuhan harian dan biaya sekolah, dengan bunga hingga 20 "
            "persen per bulan. Kami mengusulkan edukasi literasi keuangan bersama OJK dan "
            "pinjaman mikro murah melalui UP2K-PKK."
        ),
        "location": "",
        "target_group": "perempuan_kepala_keluarga",
        "program": "",
        "beneficiaries": None,
        "cost": None,
        "minutes_after_start": 73,
        "status": "received",
        "decision_reason": "",
    },
    {
        "submitter_name": "H. Abdul Ghofur, S.Ag.",
        "role": "stakeholder",
        "unit": "Baznas Kota Pekalongan",
        "position": "Wakil Ketua II Bidang Pendistribusian dan Pendayagunaan",
        "phone": "",
        "kind": "usulan",
        "pillar": "P3",
        "title": "Sinergi zakat produktif dengan data sasaran Pemkot",
        "description": (
            "Baznas Kota Pekalongan menyalurkan zakat produktif berupa modal usaha dan gerobak "
            "bagi sekitar 150 mustahik per tahun. Kami mengusulkan data mustahik dipadankan "
            "dengan DTKS dan P3KE agar tidak tumpang tindih dengan bantuan Pemkot dan lebih "
            "menyasar keluarga desil 1."
        ),
        "location": "",
        "target_group": "umkm",
        "program": "Bantuan permodalan sektor perikanan, peternakan, pertanian",
        "beneficiaries": 150,
        "cost": 450000000,
        "minutes_after_start": 134,
        "status": "accepted",
        "decision_reason": "",
    },
    {
        "submitter_name": "Hendro Susanto",
        "role": "stakeholder",
        "unit": "Forum CSR Kota Pekalongan",
        "position": "Sekretaris Forum CSR Kota Pekalongan",
        "phone": "0812-2699-4375",
        "kind": "usulan",
        "pillar": "P4",
        "title": "Pengarahan dana CSR untuk bedah rumah di Pekalongan Utara",
        "description": (
            "Anggota Forum CSR siap mengalokasikan dana untuk bedah rumah sekitar 25 unit di "
            "kelurahan pesisir Pekalongan Utara pada 2024. Kami mohon Pemkot menyediakan data "
            "sasaran by name by address yang sudah diverifikasi agar bantuan tidak tumpang "
            "tindih dengan program RTLH."
        ),
        "location": "",
        "target_group": "umum",
        "program": "",
        "beneficiaries": 25,
        "cost": 500000000,
        "minutes_after_start": 159,
        "status": "follow_up",
        "decision_reason": (
            "Disperkim menyiapkan daftar sasaran RTLH terverifikasi untuk Forum CSR."
        ),
    },
    {
        "submitter_name": "H. Tarmuji",
        "role": "stakeholder",
        "unit": "DPC HNSI Kota Pekalongan",
        "position": "Ketua DPC HNSI Kota Pekalongan",
        "phone": "",
        "kind": "usulan",
        "pillar": "P1",
        "title": "Iuran BPJS Ketenagakerjaan nelayan dan ABK ditanggung Pemkot",
        "description": (
            "Banyak nelayan kecil dan ABK kapal di Pekalongan belum memiliki jaminan "
            "kecelakaan kerja dan jaminan kematian, sehingga ketika terjadi kecelakaan di laut "
            "keluarga langsung jatuh miskin. Kami mengusulkan Pemkot menanggung iuran BPJS "
            "Ketenagakerjaan bagi sekitar 1.000 nelayan dan ABK."
        ),
        "location": "",
        "target_group": "nelayan",
        "program": "Bantuan jaminan sosial tenaga kerja rentan (BPJS Ketenagakerjaan)",
        "beneficiaries": 1000,
        "cost": None,
        "minutes_after_start": 52,
        "status": "received",
        "decision_reason": "",
    },
    {
        "submitter_name": "H. Zainal Abidin",
        "role": "stakeholder",
        "unit": "Paguyuban Perajin Batik Kota Pekalongan",
        "position": "Ketua Paguyuban",
        "phone": "0858-6633-1208",
        "kind": "usulan",
        "pillar": "P3",
        "title": "Subsidi harga kain mori dan pewarna bagi perajin batik kecil",
        "description": (
            "Harga kain mori dan pewarna naik hampir 25 persen dalam dua tahun terakhir, "
            "sementara perajin batik tulis dan cap kecil kalah bersaing dengan batik printing. "
            "Kami mengusulkan Pemkot memberikan subsidi harga bahan baku langsung kepada "
            "sekitar 300 perajin kecil."
        ),
        "location": "",
        "target_group": "umkm",
        "program": "",
        "beneficiaries": 300,
        "cost": 1500000000,
        "minutes_after_start": 163,
        "status": "declined",
        "decision_reason": (
            "Subsidi bahan baku langsung tidak dapat diberikan; diarahkan ke skema pembelian "
            "bersama melalui koperasi dengan pendampingan Dindagkop-UKM."
        ),
    },
    {
        "submitter_name": "Ika Puspitasari, S.Sos.",
        "role": "stakeholder",
        "unit": "Pendamping PKH Kota Pekalongan",
        "position": "Koordinator Kota Pendamping PKH",
        "phone": "",
        "kind": "kendala",
        "pillar": "P4",
        "title": "Rendahnya graduasi mandiri KPM PKH karena ketergantungan bansos",
        "description": (
            "Dari sekitar 6.000 KPM PKH di Kota Pekalongan, yang graduasi sejahtera mandiri "
            "pada 2023 hanya sekitar 300 KPM. Masih ada pola pikir bahwa status penerima "
            "bansos harus dipertahankan, sehingga perlu pendampingan perubahan perilaku dan "
            "penghubungan KPM ke program pemberdayaan ekonomi."
        ),
        "location": "",
        "target_group": "umum",
        "program": "",
        "beneficiaries": 6000,
        "cost": None,
        "minutes_after_start": 84,
        "status": "accepted",
        "decision_reason": "",
    },
    {
        "submitter_name": "Sunarto",
        "role": "stakeholder",
        "unit": "PPDI Kota Pekalongan",
        "position": "Ketua PPDI Kota Pekalongan",
        "phone": "0821-3790-2265",
        "kind": "usulan",
        "pillar": "P2",
        "title": "Pelatihan keterampilan dan penyaluran kerja bagi penyandang disabilitas",
        "description": (
            "Kami mengusulkan pelatihan keterampilan membatik, menjahit, dan servis gawai bagi "
            "30 penyandang disabilitas usia produktif, disertai penyaluran ke perusahaan "
            "sesuai kewajiban kuota 1 persen tenaga kerja disabilitas bagi perusahaan swasta."
        ),
        "location": "",
        "target_group": "disabilitas",
        "program": "Pelatihan kerja",
        "beneficiaries": 30,
        "cost": 75000000,
        "minutes_after_start": 171,
        "status": "received",
        "decision_reason": "",
    },
    {
        "submitter_name": "Ferry Gunawan, S.E.",
        "role": "stakeholder",
        "unit": "PT Bank Jateng Cabang Pekalongan",
        "position": "Kepala Bagian Kredit Mikro",
        "phone": "",
        "kind": "usulan",
        "pillar": "P3",
        "title": "Skema kredit mikro bunga rendah dengan subsidi bunga Pemkot",
        "description": (
            "Bank Jateng siap menyalurkan kredit mikro plafon hingga Rp10 juta tanpa agunan "
            "tambahan bagi pelaku usaha mikro dari keluarga miskin, dengan subsidi bunga dari "
            "Pemkot dan pendampingan Dindagkop-UKM. Tahap awal ditargetkan 200 debitur."
        ),
        "location": "",
        "target_group": "umkm",
        "program": "",
        "beneficiaries": 200,
        "cost": 2000000000,
        "minutes_after_start": 177,
        "status": "follow_up",
        "decision_reason": (
            "Dibahas lebih lanjut bersama BPKAD dan Dindagkop-UKM terkait skema subsidi bunga."
        ),
    },
    {
        "submitter_name": "Rukayah, S.Sos.",
        "role": "stakeholder",
        "unit": "LSM Sahabat Perempuan Pesisir",
        "position": "Direktur",
        "phone": "",
        "kind": "kendala",
        "pillar": "P4",
        "title": "Perempuan kepala keluarga pesisir sulit mengakses program pemberdayaan",
        "description": (
            "Dampingan kami di Bandengan dan Panjang Baru menunjukkan banyak perempuan kepala "
            "keluarga tidak mengikuti pelatihan karena jadwalnya bentrok dengan pekerjaan "
            "harian dan tidak ada tempat penitipan anak. Kami mengusulkan pelatihan "
            "dijadwalkan sore hari di balai RW dengan pojok bermain anak."
        ),
        "location": "Bandengan",
        "target_group": "perempuan_kepala_keluarga",
        "program": "",
        "beneficiaries": 45,
        "cost": None,
        "minutes_after_start": 168,
        "status": "received",
        "decision_reason": "",
    },
]
