// validate/report.cpp
#include "validate/report.hpp"

namespace rs::validate {

Report MakeReport(const Summary& s) {
  Report r;
  if (s.unordered != 0) r.text += "First unordered record is record " + ToDecimal(s.first_unordered) + "\n";
  r.text += "Records: " + ToDecimal(s.records) + "\n";
  r.text += "Checksum: " + s.checksum.ToString() + "\n";
  if (s.unordered != 0) {
    r.text += "ERROR - there are " + ToDecimal(s.unordered) + " unordered records\n";
    r.exit_code = 1;
  } else {
    r.text += "Duplicate keys: " + ToDecimal(s.duplicates) + "\n";
    r.text += "SUCCESS - all records are in order\n";
  }
  return r;
}

}  // namespace rs::validate
