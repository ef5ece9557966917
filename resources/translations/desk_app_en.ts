<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US" sourcelanguage="vi_VN">
<context>
    <name>AdminPage</name>
    <message>
        <location filename="../../ui/first_run.py" line="254"/>
        <source>Tài khoản quản trị</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="257"/>
        <source>Tài khoản đầu tiên là quản trị: tạo tài khoản cho các công chức khác và sửa thông tin đơn vị. Người quản trị cũng tiếp nhận hồ sơ được.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="262"/>
        <source>ví dụ: quantri</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="264"/>
        <source>&amp;Tên đăng nhập:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="267"/>
        <source>3–32 ký tự: chữ thường không dấu, số, dấu chấm, gạch ngang.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="270"/>
        <source>ví dụ: Nguyễn Văn An</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="271"/>
        <source>&amp;Họ và tên:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="275"/>
        <source>&amp;Mật khẩu:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="278"/>
        <source>Ít nhất {0} ký tự.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="282"/>
        <source>&amp;Nhập lại mật khẩu:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="288"/>
        <source>Nhập tên đăng nhập.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="291"/>
        <source>Tên đăng nhập gồm 3–32 ký tự: chữ thường không dấu, số, dấu chấm, gạch ngang.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="294"/>
        <source>Nhập họ và tên.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="297"/>
        <source>Mật khẩu cần ít nhất {0} ký tự.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="299"/>
        <source>Hai lần nhập mật khẩu không khớp.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DocumentsModel</name>
    <message>
        <location filename="../../ui/documents_table.py" line="55"/>
        <source>Tên giấy tờ</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/documents_table.py" line="55"/>
        <source>Loại</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/documents_table.py" line="55"/>
        <source>Số lượng</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>FirstRunWizard</name>
    <message>
        <location filename="../../ui/first_run.py" line="331"/>
        <source>&amp;Tiếp tục &gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="332"/>
        <source>&lt; &amp;Quay lại</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="333"/>
        <source>&amp;Hoàn tất</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="334"/>
        <source>Thiết lập lần đầu</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="353"/>
        <source>Thiết lập lần đầu — bước {0}/{1}: {2}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="413"/>
        <source>Chưa lưu được: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="422"/>
        <source>Đang lưu…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>IntakeScreen</name>
    <message>
        <location filename="../../ui/intake_screen.py" line="173"/>
        <source>1. Thủ tục hành chính</source>
        <extracomment>a dossier was stored (``DossierView``)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="211"/>
        <source>&amp;Khôi phục hồ sơ vừa xóa</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="280"/>
        <source>2. Người nộp hồ sơ</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="282"/>
        <source>ví dụ: Nguyễn Thị Ánh Tuyết</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="283"/>
        <source>12 chữ số</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="284"/>
        <source>ngày/tháng/năm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="285"/>
        <source>Ví dụ 04/03/2005 hoặc 04032005; để trống nếu không có</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="286"/>
        <source>Số nhà, ấp/thôn, xã, tỉnh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="287"/>
        <source>ví dụ: 0912 345 678</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="288"/>
        <location filename="../../ui/intake_screen.py" line="331"/>
        <source>không bắt buộc</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="294"/>
        <source> bộ</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="299"/>
        <source>&amp;Họ và tên *</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="300"/>
        <source>Số &amp;CCCD *</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="301"/>
        <source>Ngày &amp;sinh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="302"/>
        <source>Đị&amp;a chỉ *</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="303"/>
        <source>Điện th&amp;oại</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="304"/>
        <source>&amp;Email</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="305"/>
        <source>Hình thức &amp;nộp</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="306"/>
        <source>Số &amp;bộ hồ sơ</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="321"/>
        <source>Có &amp;người được ủy quyền nộp thay (kèm giấy ủy quyền)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="329"/>
        <source>Họ và tên người được ủy quyền</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="330"/>
        <source>12 chữ số (không bắt buộc)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="333"/>
        <source>Họ tên người nộp thay *</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="335"/>
        <source>Số CCCD người nộp thay</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="337"/>
        <source>Điện thoại người nộp thay</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="349"/>
        <source>3. Thành phần hồ sơ</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="360"/>
        <source>&amp;Thêm giấy tờ</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="362"/>
        <source>Thêm một dòng (phím Insert trong bảng)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="363"/>
        <source>&amp;Bỏ giấy tờ</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="365"/>
        <source>Bỏ dòng đang chọn (phím Delete)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="377"/>
        <source>Nội dung yêu cầu in trên giấy hẹn, nếu khác với tên thủ tục (không bắt buộc)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="382"/>
        <source>&amp;Ghi chú</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="410"/>
        <source>Hồ sơ mới</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="412"/>
        <source>Xóa biểu mẫu cho công dân tiếp theo (Ctrl+N)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="414"/>
        <source>Lưu và in giấy hẹn</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="416"/>
        <source>Lưu hồ sơ và mở giấy tiếp nhận để in (Ctrl+S)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="421"/>
        <source>Ctrl+S lưu · Ctrl+N hồ sơ mới</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="510"/>
        <source>Không tải được danh mục thủ tục: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="524"/>
        <source>Chưa chọn thủ tục — gõ tên thủ tục ở ô bên trái</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="528"/>
        <source>{0} ({1}) · Thời hạn: {2}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="544"/>
        <source>Hẹn trả: chọn thủ tục để tính ngày hẹn</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="558"/>
        <source>Hẹn trả: Không có ngày hẹn trả cụ thể</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="560"/>
        <source>Hẹn trả: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="564"/>
        <source>Hẹn trả: không tính được ({0})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="591"/>
        <source>Ngày sinh dạng ngày/tháng/năm, ví dụ 04/03/2005.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="675"/>
        <source>Dòng {0}: {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="699"/>
        <source>Hồ sơ chưa đủ: sửa các ô có chữ đỏ rồi lưu lại.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="714"/>
        <source>không có ngày hẹn trả cụ thể</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="717"/>
        <source>Đã lưu hồ sơ {0} của {1} — hẹn trả {2}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="731"/>
        <source>Chưa lưu: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="736"/>
        <source>Chưa lưu được hồ sơ: {0}. Dữ liệu đã nhập vẫn còn — thử lại bằng Ctrl+S.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="749"/>
        <source>Đang lưu hồ sơ…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/intake_screen.py" line="793"/>
        <source>Đã xóa biểu mẫu cho hồ sơ mới.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LockScreen</name>
    <message>
        <location filename="../../ui/idle_lock.py" line="121"/>
        <source>Màn hình đã khóa</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/idle_lock.py" line="132"/>
        <source>&amp;Mật khẩu:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/idle_lock.py" line="143"/>
        <source>Đăng nhập người &amp;khác</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/idle_lock.py" line="147"/>
        <source>&amp;Mở khóa</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/idle_lock.py" line="168"/>
        <source>Đang làm việc: {0} ({1}). Nhập mật khẩu để tiếp tục.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/idle_lock.py" line="184"/>
        <source>Nhập mật khẩu.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/idle_lock.py" line="197"/>
        <source>Mật khẩu không đúng.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/idle_lock.py" line="202"/>
        <source>Không kiểm tra được mật khẩu: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/idle_lock.py" line="217"/>
        <source>Đang kiểm tra mật khẩu…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LoginScreen</name>
    <message>
        <location filename="../../ui/login.py" line="53"/>
        <source>Đăng nhập</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="66"/>
        <source>ví dụ: nguyenvana</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="68"/>
        <source>&amp;Tên đăng nhập:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="73"/>
        <source>&amp;Mật khẩu:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="87"/>
        <source>Đăng &amp;nhập</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="134"/>
        <source>Nhập tên đăng nhập.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="138"/>
        <source>Nhập mật khẩu.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="155"/>
        <source>Tên đăng nhập hoặc mật khẩu không đúng.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="157"/>
        <source>Không đăng nhập được: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="169"/>
        <source>Đang kiểm tra…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LookupScreen</name>
    <message>
        <location filename="../../ui/lookup.py" line="129"/>
        <source>Quét mã vạch trên giấy hẹn hoặc gõ mã hồ sơ</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/lookup.py" line="132"/>
        <source>&amp;Tra cứu</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/lookup.py" line="136"/>
        <source>&amp;Mã hồ sơ:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/lookup.py" line="147"/>
        <source>Hồ sơ</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/lookup.py" line="153"/>
        <source>Mã hồ sơ:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/lookup.py" line="154"/>
        <source>Trạng thái:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/lookup.py" line="155"/>
        <source>Thủ tục:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/lookup.py" line="156"/>
        <source>Người nộp:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/lookup.py" line="157"/>
        <source>Số CCCD:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/lookup.py" line="158"/>
        <source>Hình thức nộp:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/lookup.py" line="159"/>
        <source>Tiếp nhận lúc:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/lookup.py" line="160"/>
        <source>Hẹn trả:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/lookup.py" line="161"/>
        <source>Người tiếp nhận:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/lookup.py" line="170"/>
        <source>&amp;In lại giấy hẹn</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/lookup.py" line="181"/>
        <source>Hồ sơ tiếp nhận hôm nay</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/lookup.py" line="183"/>
        <source>Làm &amp;mới</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/lookup.py" line="226"/>
        <source>Đang tìm hồ sơ {0}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/lookup.py" line="244"/>
        <source>Không có ngày hẹn trả cụ thể</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/lookup.py" line="258"/>
        <source>Không tìm thấy hồ sơ mã “{0}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/lookup.py" line="260"/>
        <source>Không tra cứu được: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/lookup.py" line="272"/>
        <source>Đang mở giấy hẹn…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/lookup.py" line="286"/>
        <source>Không mở được giấy hẹn: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/lookup.py" line="296"/>
        <source>Không tải được danh sách: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/lookup.py" line="301"/>
        <source>Hồ sơ tiếp nhận hôm nay ({0})</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main_window.py" line="92"/>
        <source>Bộ phận Một cửa</source>
        <extracomment>the services are attached (emitted before anyone logs in) an officer logged in (``Officer``) a receipt preview was opened (``ReceiptPreview``)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="109"/>
        <location filename="../../ui/main_window.py" line="124"/>
        <source>Đang mở cơ sở dữ liệu…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="136"/>
        <source>&amp;Phiên làm việc</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="137"/>
        <source>&amp;Khóa màn hình</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="140"/>
        <source>Đăng &amp;xuất</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="142"/>
        <source>Đăng xuất (Ctrl+Shift+L)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="144"/>
        <source>&amp;Thoát</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="197"/>
        <source>{0} — {1} — Quầy {2}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="205"/>
        <source>Bộ phận Một cửa — chưa thiết lập đơn vị</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="207"/>
        <source>Chưa thiết lập thông tin đơn vị: điền trình hướng dẫn để bắt đầu.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="211"/>
        <source>Bộ phận Một cửa — {0} — Quầy {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="217"/>
        <source>{0} · {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="286"/>
        <source>Tiếp nhận</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="291"/>
        <source>Tra cứu</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="310"/>
        <source>Cán bộ: {0} — {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="457"/>
        <source>Không mở được cơ sở dữ liệu.

{0}

Hãy báo cho quản trị viên.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="461"/>
        <source>Lỗi mở cơ sở dữ liệu</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ProcedurePicker</name>
    <message>
        <location filename="../../ui/procedure_picker.py" line="54"/>
        <source>Gõ tên hoặc mã thủ tục, ví dụ: khai sinh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/procedure_picker.py" line="122"/>
        <source>Đang tải danh mục thủ tục…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/procedure_picker.py" line="124"/>
        <source>{0} thủ tục</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/procedure_picker.py" line="127"/>
        <source>{0} thủ tục khớp — Enter để chọn, ↑↓ để di chuyển</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/procedure_picker.py" line="132"/>
        <source>Không có thủ tục nào khớp “{0}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/procedure_picker.py" line="137"/>
        <source>Gõ vài chữ của tên thủ tục (không cần dấu) hoặc mã thủ tục.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/procedure_picker.py" line="143"/>
        <source>Mã {0} · Lĩnh vực {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/procedure_picker.py" line="144"/>
        <source>Thời hạn: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/procedure_picker.py" line="148"/>
        <source>Lệ phí: {0}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ProfilePage</name>
    <message>
        <location filename="../../ui/first_run.py" line="142"/>
        <source>Thông tin đơn vị</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="145"/>
        <source>Các thông tin này in trên giấy tiếp nhận và tạo mã hồ sơ. Mã đơn vị và số quầy không đổi được sau khi đã tiếp nhận hồ sơ.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="151"/>
        <source>ví dụ: Xã Tân Phú</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="152"/>
        <source>Tên &amp;xã, phường:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="154"/>
        <source>ví dụ: Đồng Nai</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="155"/>
        <source>&amp;Tỉnh, thành phố:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="159"/>
        <source>&amp;Mã đơn vị (QCVN 102):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="162"/>
        <source>Dạng 000.00.00.H00, theo mã định danh do tỉnh cấp.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="166"/>
        <source>Số &amp;quầy:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="169"/>
        <source>&amp;Giờ làm việc:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="172"/>
        <source>Các buổi cách nhau bởi dấu phẩy, ví dụ 07:30-11:30, 13:00-17:00.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="177"/>
        <source>Giờ &amp;chốt hồ sơ trong ngày:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="180"/>
        <source>Hồ sơ giải quyết trong ngày nhận sau giờ này thì hẹn ngày làm việc sau.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="183"/>
        <source>ví dụ: Bộ phận Một cửa, UBND xã Tân Phú</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="184"/>
        <source>Nơi &amp;trả kết quả:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="187"/>
        <source> phút</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="188"/>
        <source>&amp;Khóa màn hình sau:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="212"/>
        <source>Nhập tên xã, phường.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="214"/>
        <source>Nhập tên tỉnh, thành phố.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="217"/>
        <source>Nhập mã đơn vị.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="219"/>
        <source>Mã đơn vị phải có dạng 000.00.00.H00.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="223"/>
        <source>Giờ làm việc dạng 07:30-11:30, 13:00-17:00 (giờ bắt đầu trước giờ kết thúc).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/first_run.py" line="228"/>
        <source>Giờ chốt phải nằm trong giờ làm việc.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReceiptPreview</name>
    <message>
        <location filename="../../ui/receipt_preview.py" line="146"/>
        <source>Giấy tiếp nhận hồ sơ và hẹn trả kết quả — {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/receipt_preview.py" line="178"/>
        <source>&amp;In…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/receipt_preview.py" line="181"/>
        <source>In hai liên: một giao công dân, một kèm hồ sơ</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/receipt_preview.py" line="183"/>
        <source>&amp;Lưu PDF…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/receipt_preview.py" line="186"/>
        <source>Đó&amp;ng</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/receipt_preview.py" line="191"/>
        <source>Mã hồ sơ {0} · {1} trang</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/receipt_preview.py" line="225"/>
        <source>Máy tính này chưa cài máy in nào. Hồ sơ đã được lưu: có thể “Lưu PDF…” để in ở máy khác, hoặc in lại sau ở thẻ “Tra cứu”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/receipt_preview.py" line="233"/>
        <source>Đã hủy in. Hồ sơ vẫn được lưu; có thể in lại bất cứ lúc nào.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/receipt_preview.py" line="237"/>
        <source>Đang in…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/receipt_preview.py" line="243"/>
        <source>Đã gửi {0} trang tới máy in {1}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/receipt_preview.py" line="248"/>
        <source>Không in được: {0}. Hồ sơ vẫn được lưu; thử in lại.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/receipt_preview.py" line="258"/>
        <source>Chưa lưu tệp PDF.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/receipt_preview.py" line="266"/>
        <source>Không lưu được tệp {0}: {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/receipt_preview.py" line="268"/>
        <source>Đã lưu {0}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SyncStatusWidget</name>
    <message>
        <location filename="../../ui/sync_status.py" line="112"/>
        <source>Đồng bộ ngay</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="115"/>
        <source>Gửi và nhận dữ liệu với máy chủ huyện ngay bây giờ (F5)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="157"/>
        <source>Đang kiểm tra kết nối…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="172"/>
        <source>Chờ gửi: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="174"/>
        <source>Số sự kiện ghi tại quầy chưa được máy chủ huyện xác nhận</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="179"/>
        <source>chưa lần nào</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="182"/>
        <source>Lần cuối thành công: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="203"/>
        <source>Quầy chưa đăng ký với máy chủ huyện: dữ liệu chỉ lưu tại quầy.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="225"/>
        <source>Thử lại sau {0} giây</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="227"/>
        <source>Đang thử lại…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TodayModel</name>
    <message>
        <location filename="../../ui/lookup.py" line="57"/>
        <source>Mã hồ sơ</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/lookup.py" line="58"/>
        <source>Giờ nhận</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/lookup.py" line="59"/>
        <source>Thủ tục</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/lookup.py" line="60"/>
        <source>Người nộp</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/lookup.py" line="61"/>
        <source>CCCD</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/lookup.py" line="62"/>
        <source>Hẹn trả</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/lookup.py" line="63"/>
        <source>Trạng thái</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>app</name>
    <message>
        <location filename="../../ui/app.py" line="61"/>
        <source>Một cửa</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>parent</name>
    <message>
        <location filename="../../ui/receipt_preview.py" line="64"/>
        <source>In giấy tiếp nhận</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/receipt_preview.py" line="73"/>
        <source>Lưu giấy tiếp nhận</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/receipt_preview.py" line="73"/>
        <source>Tệp PDF (*.pdf)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
